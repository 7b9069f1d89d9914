{{ config(contract={'enforced': true}) }}

select
    cast(article as int)      as article,
    article_name_vi,
    category_code,
    category_name_vi,
    category_name_en,
    is_property_crime
from {{ ref('ref_penal_code_articles') }}
