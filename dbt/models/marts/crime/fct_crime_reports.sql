{{ config(contract={'enforced': true}) }}

with

reports as (

    select * from {{ ref('int_crime_reports__settlement') }}

),

categories as (

    select * from {{ ref('dim_crime_category') }}

),

as_of as (

    select * from {{ ref('int_cases__as_of') }}

),

final as (

    select
        reports.record_id,
        reports.record_kind,
        reports.article,
        categories.category_code,
        categories.category_name_vi,
        reports.commune_code,
        reports.location_code,
        reports.location_code_scheme,
        reports.receiving_unit_code,
        reports.received_at,
        reports.received_date,
        reports.status,
        reports.is_complex,
        reports.deadline_extended,
        reports.settlement_deadline,
        reports.decision,
        reports.decided_at,
        reports.decided_date,
        reports.decided_date is not null                                   as is_decided,
        reports.decided_date > reports.settlement_deadline                 as settled_late,
        case when reports.decided_date is null
             then datediff(as_of.as_of_date, reports.received_date) end    as days_open,
        reports.decided_date is null
            and as_of.as_of_date > reports.settlement_deadline             as is_overdue,
        reports.case_no,
        reports.prosecuted_at,
        to_date(reports.prosecuted_at)                                     as prosecuted_date,
        reports.cleared_at,
        to_date(reports.cleared_at)                                        as cleared_date,
        reports.suspended_at,
        to_date(reports.suspended_at)                                      as suspended_date,
        case
            when reports.prosecuted_at is null then null
            when reports.cleared_at is not null then 'CLEARED'
            when reports.suspended_at is not null then 'SUSPENDED'
            else 'OPEN'
        end                                                                as case_status,
        reports.vehicle_plate,
        reports.vehicle_plate is not null                                  as is_vehicle_theft,
        as_of.as_of_date
    from reports
    cross join as_of
    left join categories
        on reports.article = categories.article

)

select * from final
