"""The night cloud cover assumed when none is given is one value for plan(), the 应急疏散 page and the CLI.

Turner, D. B. (1970). Workbook of Atmospheric Dispersion Estimates, US EPA AP-26, Table 1: at night with ≤ 3/8
cloud a 2–3 m/s wind gives class F, with ≥ 4/8 low cloud class E — the clear night is the more stable, longer
reaching class, the conservative default of a protective-action tool.
"""

from __future__ import annotations

import argparse

from analysis import emergency as em


def test_plan_default_is_the_clear_night_of_turner_table_1():
    assert em.DEFAULT_NIGHT_CLOUD_COVER == 0.0
    assert em.PlanOptions().cloud_cover == em.DEFAULT_NIGHT_CLOUD_COVER
    # Turner (1970) Table 1, night, 2–3 m/s: ≤ 3/8 cloud → F; ≥ 4/8 → E
    default = em.pasquill_stability(2.5, daytime=False, cloud_cover=em.DEFAULT_NIGHT_CLOUD_COVER)
    assert default == "F"
    assert em.pasquill_stability(2.5, daytime=False, cloud_cover=0.5) == "E"


def test_page_form_default_is_plans_default():
    from app.views import emergency as page

    assert page._WEATHER_DEFAULTS["em_cloud"] / 10.0 == em.DEFAULT_NIGHT_CLOUD_COVER


def test_cli_default_is_plans_default():
    from app.commands import emergency as cmd

    args = argparse.Namespace(observations=None, cloud_cover=None, wind_from=None, wind_speed=None)
    _, _, cloud, _ = cmd._wind(args)
    assert cloud == em.DEFAULT_NIGHT_CLOUD_COVER
    args.cloud_cover = 0.75
    assert cmd._wind(args)[2] == 0.75
