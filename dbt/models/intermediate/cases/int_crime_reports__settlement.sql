{#- Per record: the settlement deadline of Criminal Procedure Code Art. 147 (from the
    ref_crime_report_deadlines seed, by the rule in force on the receipt date) and the
    first decision (prosecute / not prosecute). -#}
with

records as (

    select * from {{ ref('stg_cases__records') }}

),

history as (

    select * from {{ ref('stg_cases__status_history') }}

),

limits as (

    select * from {{ ref('ref_crime_report_deadlines') }}

),

decisions as (

    select
        record_id,
        min_by(status, status_at) as decision,
        min(status_at)            as decided_at
    from history
    where status in ('PROSECUTED', 'NOT_PROSECUTED')
    group by record_id

),

with_limits as (

    select
        records.*,
        date_add(records.received_date, base.limit_days)             as base_deadline,
        add_months(records.received_date, complex.limit_months)      as complex_deadline,
        -- the one extension runs from the end of the complex-case limit (TTLT 01/2017 Art. 11)
        add_months(add_months(records.received_date, complex.limit_months),
                   extended.limit_months)                             as extended_deadline
    from records
    left join limits as base
        on base.rule_code = 'BASE'
        and records.received_date >= base.valid_from
        and (base.valid_to is null or records.received_date <= base.valid_to)
    left join limits as complex
        on complex.rule_code = 'COMPLEX'
        and records.received_date >= complex.valid_from
        and (complex.valid_to is null or records.received_date <= complex.valid_to)
    left join limits as extended
        on extended.rule_code = 'EXTENDED'
        and records.received_date >= extended.valid_from
        and (extended.valid_to is null or records.received_date <= extended.valid_to)

),

final as (

    select
        with_limits.*,
        case
            when deadline_extended then extended_deadline
            when is_complex then complex_deadline
            else base_deadline
        end                              as settlement_deadline,
        -- the history may start after the decision (records received before the first
        -- extract loaded): the record's own fields then tell the decision
        coalesce(decisions.decision,
                 case when with_limits.prosecuted_at is not null then 'PROSECUTED'
                      when with_limits.status = 'NOT_PROSECUTED' then 'NOT_PROSECUTED' end)
                                         as decision,
        coalesce(decisions.decided_at, with_limits.prosecuted_at,
                 case when with_limits.status = 'NOT_PROSECUTED' then with_limits.status_at end)
                                         as decided_at,
        to_date(coalesce(decisions.decided_at, with_limits.prosecuted_at,
                         case when with_limits.status = 'NOT_PROSECUTED' then with_limits.status_at end))
                                         as decided_date
    from with_limits
    left join decisions
        on with_limits.record_id = decisions.record_id

)

select * from final
