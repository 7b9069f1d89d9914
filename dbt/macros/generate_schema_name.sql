{#- Schemas are named as configured (staging, gold), not prefixed with the target schema:
    analysts and Superset look for gold.<table>. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
