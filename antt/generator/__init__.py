"""Deterministic synthetic source-system generators for the ANTT lakehouse.

Modules:
    admin_units  current (post 1 July 2025) Hanoi communes/wards from PyPI reference packages
    plates       Vietnamese licence-plate formats and the per-seed pool of regular plates
    registry     prefix-stable camera registry (camera i depends only on (seed, i))
    camera       camera events landing generator; CLI: ``python -m antt.generator.camera``
"""
