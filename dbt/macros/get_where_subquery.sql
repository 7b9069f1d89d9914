{#- The `where` config of a data test, with one runtime placeholder (dbt renders a test's
    config when it parses the project, so a window that depends on the data is filled in
    here, when the test runs):

      __days_touched__   date'YYYY-MM-DD' — the earliest `event_date` among the rows of the
                         tested relation processed within lookback_hours of its newest
                         `processed_at`: the days the last incremental build rewrote.

    `where: "event_date >= __days_touched__"` on the tests of a large incremental fact
    checks what the build wrote instead of re-scanning a year of partitions every day (the
    other days passed these tests when they were written). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- if '__days_touched__' in where -%}
            {%- set since = '1900-01-01' -%}
            {%- if execute -%}
                {#- the same window as the incremental models' (macros/incremental_window.sql) -#}
                {%- set threshold = lookback_threshold(relation, 'processed_at') -%}
                {%- set since = earliest_date(relation, 'event_date',
                                              "processed_at >= timestamp'" ~ threshold ~ "'") -%}
            {%- endif -%}
            {%- set where = where | replace('__days_touched__', "date'" ~ since ~ "'") -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
