"""The opening plan's pages in a real browser at a phone's width and a desktop's: a round with
proposals in every state, a proposal with its decision form, the plan's wide table and the
proposal form: none wider than the screen, axe-core finds no serious violation."""

import pytest
import time_machine
from playwright.sync_api import expect

from libranet.planning.models import Proposal
from libranet.planning.services import proposal_decide, proposal_submit
from libranet.tests.browser import OUTSIDE, assert_accessible, assert_no_overflow, sign_in

from .conftest import BEFORE_DEADLINE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _november_10th():
    # A clock that ticks: the browser's pages and the live server wait on it.
    with time_machine.travel(BEFORE_DEADLINE, tick=True):
        yield


@pytest.fixture
def proposals(make_proposal, head_tver, network_user, penza):
    made = {}
    for story, region in (("draft", None), ("submitted", None), ("approved", penza)):
        proposal = make_proposal(actor=network_user, region=region, name_ru=f"ЦУД ({story})")
        if story != "draft":
            proposal = proposal_submit(actor=network_user, proposal=proposal)
        if story == "approved":
            proposal = proposal_decide(
                actor=network_user, proposal=proposal, decision="approved", comment="Согласовано"
            )
        made[story] = proposal
    return made


@pytest.mark.parametrize("width", [390, 1366])
def test_the_pages_fit_and_are_accessible(
    browser, live_server, network_user, proposals, round_2027, width
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    sign_in(context, live_server, network_user)
    page = context.new_page()
    page.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
    try:
        for url in (
            f"/ru/office/planning/{round_2027.pk}/",
            f"/ru/office/planning/proposals/{proposals['submitted'].pk}/",
            f"/ru/office/planning/proposals/{proposals['approved'].pk}/",
            f"/ru/office/planning/{round_2027.pk}/plan/",
            f"/ru/office/planning/proposals/{proposals['draft'].pk}/edit/",
            f"/ru/office/planning/{round_2027.pk}/proposals/new/",
        ):
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            page.wait_for_load_state("networkidle")
            assert_no_overflow(page)
            assert_accessible(page)
        # The department returns the submitted proposal from its page.
        page.goto(f"/ru/office/planning/proposals/{proposals['submitted'].pk}/")
        page.get_by_label("Вернуть на доработку (что исправить — в комментарии)").check()
        page.locator("#id_comment").fill("Уточните помещение")
        page.get_by_role("button", name="Записать решение").click()
        expect(page.locator("#proposal-state")).to_contain_text("возвращено на доработку")
        assert Proposal.objects.get(pk=proposals["submitted"].pk).state == "returned"
    finally:
        context.close()
