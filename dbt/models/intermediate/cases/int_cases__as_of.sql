{#- The date the case figures are "as of": the dbt var `as_of_date` when given, else the
    latest day the case system reported a change (the data's own today, so a historical
    demo load is not measured against the wall clock); today while no case has loaded yet
    (the case marts are empty then, and the build does not fail on the missing source). -#}
select
{% if var('as_of_date', none) %}
    date'{{ var("as_of_date") }}' as as_of_date
{% else %}
    coalesce(max(to_date(changed_at)), current_date()) as as_of_date
from {{ ref('stg_cases__records') }}
{% endif %}
