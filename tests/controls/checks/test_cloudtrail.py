from app.aws.inventory.model import (
    AdvancedEventSelector,
    AdvancedFieldSelector,
    EventSelector,
    TrailEventSelectors,
)
from app.controls.checks import cloudtrail
from app.controls.results import Status
from tests.controls.checks.builders import (
    ACCOUNT,
    SETTINGS,
    by_check,
    failed,
    inventory,
    ok,
    one,
    region,
    trail,
)


def run(*regions):
    return cloudtrail.check(inventory(*regions), SETTINGS)


def shadow(t):
    """The copy of a multi-region trail another region lists: no status of its own."""
    from dataclasses import replace

    return replace(t, status=None, event_selectors=None)


def test_multi_region_logging_trail_passes_with_default_selectors_noted() -> None:
    main = trail()
    results = run(
        region("us-east-1", trails=ok((main,))),
        region("eu-west-1", trails=ok((shadow(main),))),
    )
    account = one(results, "multi-region-trail")
    assert account.status is Status.PASS
    assert account.region == "global" and account.resource == ACCOUNT
    assert "default selector" in account.detail
    rows = by_check(results, "trail-logging")
    assert len(rows) == 1, "shadow copies are merged by ARN"
    assert rows[0].status is Status.PASS and rows[0].region == "us-east-1"


def test_stopped_trail_fails_both_rows() -> None:
    results = run(region(trails=ok((trail(logging=False),))))
    assert one(results, "trail-logging").status is Status.FAIL
    assert "not logging" in one(results, "trail-logging").detail
    assert one(results, "multi-region-trail").status is Status.FAIL


def test_single_region_trail_does_not_satisfy_account_row() -> None:
    results = run(region(trails=ok((trail(multi_region=False),))))
    assert one(results, "trail-logging").status is Status.PASS
    row = one(results, "multi-region-trail")
    assert row.status is Status.FAIL
    assert "no multi-region trail" in row.detail


def test_no_trails_fails_account_row() -> None:
    results = run(region())
    assert by_check(results, "trail-logging") == []
    assert one(results, "multi-region-trail").status is Status.FAIL


def test_write_only_management_events_do_not_qualify() -> None:
    selectors = TrailEventSelectors(
        event_selectors=(
            EventSelector(read_write_type="WriteOnly", include_management_events=True),
        )
    )
    row = one(run(region(trails=ok((trail(selectors=selectors),)))), "multi-region-trail")
    assert row.status is Status.FAIL
    assert "WriteOnly" in row.detail


def test_management_events_excluded_do_not_qualify() -> None:
    selectors = TrailEventSelectors(
        event_selectors=(EventSelector(read_write_type="All", include_management_events=False),)
    )
    row = one(run(region(trails=ok((trail(selectors=selectors),)))), "multi-region-trail")
    assert row.status is Status.FAIL


def test_basic_all_selector_qualifies_with_exclusions_noted() -> None:
    selectors = TrailEventSelectors(
        event_selectors=(
            EventSelector(
                read_write_type="All",
                include_management_events=True,
                exclude_management_event_sources=("kms.amazonaws.com",),
            ),
        )
    )
    row = one(run(region(trails=ok((trail(selectors=selectors),)))), "multi-region-trail")
    assert row.status is Status.PASS and "kms.amazonaws.com" in row.detail


def test_advanced_management_selector_qualifies() -> None:
    adv = AdvancedEventSelector(
        name="mgmt",
        field_selectors=(AdvancedFieldSelector(field="eventCategory", equals=("Management",)),),
    )
    selectors = TrailEventSelectors(advanced_event_selectors=(adv,))
    row = one(run(region(trails=ok((trail(selectors=selectors),)))), "multi-region-trail")
    assert row.status is Status.PASS and "advanced selector" in row.detail


def test_advanced_read_only_false_selector_does_not_qualify() -> None:
    adv = AdvancedEventSelector(
        name="writes",
        field_selectors=(
            AdvancedFieldSelector(field="eventCategory", equals=("Management",)),
            AdvancedFieldSelector(field="readOnly", equals=("false",)),
        ),
    )
    selectors = TrailEventSelectors(advanced_event_selectors=(adv,))
    row = one(run(region(trails=ok((trail(selectors=selectors),)))), "multi-region-trail")
    assert row.status is Status.FAIL


def test_organization_trail_from_management_account_recognised() -> None:
    org = trail("org-trail", organization=True, owner="111111111111")
    results = run(region(trails=ok((org,))))
    row = one(results, "multi-region-trail")
    assert row.status is Status.PASS
    assert "organization" in row.detail and "account 111111111111" in row.detail


def test_status_error_makes_trail_row_error_and_account_row_error() -> None:
    broken = trail(status=failed("AccessDenied", "GetTrailStatus", "cloudtrail"), logging=None)
    results = run(region(trails=ok((broken,))))
    assert one(results, "trail-logging").status is Status.ERROR
    assert one(results, "multi-region-trail").status is Status.ERROR


def test_status_missing_on_every_copy_is_error() -> None:
    results = run(region("eu-west-1", trails=ok((shadow(trail()),))))
    row = one(results, "trail-logging")
    assert row.status is Status.ERROR and "not fetched" in row.detail


def test_selector_error_with_logging_trail_is_error_for_account_row() -> None:
    broken = trail(event_selectors=failed("ThrottlingException", "GetEventSelectors", "cloudtrail"))
    results = run(region(trails=ok((broken,))))
    assert one(results, "trail-logging").status is Status.PASS
    row = one(results, "multi-region-trail")
    assert row.status is Status.ERROR and "ThrottlingException" in row.detail


def test_listing_error_in_one_region_does_not_hide_a_good_trail() -> None:
    results = run(region("us-east-1", trails=ok((trail(),))), region("eu-west-1", trails=failed()))
    assert one(results, "multi-region-trail").status is Status.PASS
    errors = [r for r in by_check(results, "trail-logging") if r.status is Status.ERROR]
    assert [r.region for r in errors] == ["eu-west-1"]


def test_listing_errors_everywhere_is_error_not_fail() -> None:
    results = run(region(trails=failed()))
    assert one(results, "multi-region-trail").status is Status.ERROR


def test_no_regions_scanned_is_error() -> None:
    assert one(run(), "multi-region-trail").status is Status.ERROR


def test_a_good_trail_wins_over_a_stopped_one() -> None:
    results = run(region(trails=ok((trail("old", logging=False), trail("new")))))
    assert one(results, "multi-region-trail").status is Status.PASS
    assert "new" in one(results, "multi-region-trail").detail


def test_organization_trail_of_this_account_named_as_such() -> None:
    row = one(run(region(trails=ok((trail("org", organization=True),)))), "multi-region-trail")
    assert row.status is Status.PASS and "from this account" in row.detail


def test_delivery_error_noted_on_logging_trail() -> None:
    from app.aws.inventory.model import TrailStatus

    status = ok(
        TrailStatus(is_logging=True, latest_delivery_error="AccessDenied"),
        "GetTrailStatus",
        "cloudtrail",
    )
    row = one(run(region(trails=ok((trail(status=status),)))), "trail-logging")
    assert row.status is Status.PASS and "latest delivery error: AccessDenied" in row.detail


def test_evidence_names_the_status_call() -> None:
    row = one(run(region(trails=ok((trail(),)))), "trail-logging")
    operations = [e.operation for e in row.evidence]
    assert "cloudtrail:GetTrailStatus" in operations
    assert "cloudtrail:GetEventSelectors" in operations
