{{ config(contract={'enforced': true}) }}

select
    unit_code,
    unit_name,
    unit_level,
    admin_code,
    valid_from,
    valid_to
from {{ ref('stg_reference__police_units') }}
