{#- A period never ends before it starts (an open period has no end). -#}
{% test valid_period(model, from_column, to_column) %}

select *
from {{ model }}
where {{ to_column }} is not null and {{ to_column }} < {{ from_column }}

{% endtest %}
