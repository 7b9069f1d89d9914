{#- Window helpers for incremental models. Each returns a date literal ('YYYY-MM-DD') decided
    when the model compiles, so Spark prunes partitions / skips files on it (a scalar
    subquery in the filter would not prune). -#}

{% macro first_touched_date(source_relation, date_column, processed_column, this_processed_column) -%}
    {#- First `date_column` day an incremental model must recompute: the earliest day of the
        source rows processed after this model's newest `this_processed_column` minus
        var lookback_hours (so late and backfilled rows are picked up whatever their date;
        with lookback_hours 0 exactly the rows processed since the last build).
        Full build, or a table built before it had `this_processed_column` → the beginning
        of time; nothing new → '9999-12-31' (no row recomputed). -#}
    {%- if execute and is_incremental() -%}
        {%- set held = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if this_processed_column | lower not in held -%}
            {#- built before it had this column (an upgrade): recompute every day once -#}
            {{- return('1900-01-01') -}}
        {%- endif -%}
        {%- set threshold = lookback_threshold(this, this_processed_column) -%}
        {{- return(earliest_date(source_relation, date_column,
                                 processed_column ~ " > timestamp'" ~ threshold ~ "'")) -}}
    {%- else -%}
        {{- return('1900-01-01') -}}
    {%- endif -%}
{%- endmacro %}

{% macro query_date(sql, when_none) -%}
    {#- The one value `sql` selects (a date cast to string), or `when_none` when it is NULL;
        the beginning of time while the project is only being parsed. -#}
    {%- if execute -%}
        {%- set value = run_query(sql).columns[0].values()[0] -%}
        {{- return(value if value else when_none) -}}
    {%- else -%}
        {{- return('1900-01-01') -}}
    {%- endif -%}
{%- endmacro %}

{% macro latest_date_minus(relation, date_column, days) -%}
    {#- The newest `date_column` in `relation` minus `days` days (a literal), or the
        beginning of time when the relation is empty. -#}
    {%- set sql -%}
        select cast(date_sub(max({{ date_column }}), {{ days }}) as string) from {{ relation }}
    {%- endset -%}
    {{- return(query_date(sql, '1900-01-01')) -}}
{%- endmacro %}

{% macro earliest_date(relation, date_column, condition='true') -%}
    {#- The oldest `date_column` of the rows of `relation` meeting `condition` (a literal), or
        '9999-12-31' when there is none. -#}
    {%- set sql -%}
        select cast(min({{ date_column }}) as string) from {{ relation }} where {{ condition }}
    {%- endset -%}
    {{- return(query_date(sql, '9999-12-31')) -}}
{%- endmacro %}

{% macro lookback_threshold(relation, processed_column) -%}
    {#- The newest `processed_column` of `relation` minus var lookback_hours, as a timestamp
        string (from the beginning of time when the relation is empty): the start of the
        window of rows the last incremental builds processed. Only call it when `execute`. -#}
    {%- set sql -%}
        select cast(coalesce(max({{ processed_column }}), timestamp'1900-01-01')
                    - make_interval(0, 0, 0, 0, {{ var('lookback_hours') }}, 0, 0) as string)
        from {{ relation }}
    {%- endset -%}
    {{- return(run_query(sql).columns[0].values()[0]) -}}
{%- endmacro %}
