"""MythOrFact through its traits and state, without a browser."""

import pytest

from oud_course.widgets import MythOrFact


@pytest.fixture
def sorter():
    return MythOrFact()


def right_verdict(sorter) -> str:
    return sorter.statement["verdict"]


def wrong_verdict(sorter) -> str:
    return next(v for v in sorter.verdict_buttons if v != sorter.statement["verdict"])


def test_starts_on_the_first_statement_unanswered(sorter):
    """Does the sorter open on statement 1, unanswered, with a zero score and only the answer buttons enabled?"""
    assert (sorter.position, sorter.choice, sorter.score, sorter.answered) == (0, "", 0, 0)
    assert "Statement 1 of" in sorter.statement_box.value and "Not answered yet." in sorter.describe()
    assert not any(b.disabled for b in sorter.verdict_buttons.values())
    assert sorter.next_button.disabled and not sorter.restart_button.disabled


def test_offers_myth_fact_and_partly_true_buttons(sorter):
    """Are the answer buttons labelled Myth, Fact and Partly true?"""
    assert [b.description for b in sorter.verdict_buttons.values()] == ["Myth", "Fact", "Partly true"]


def test_a_right_answer_scores_and_shows_evidence_and_source(sorter):
    """Does pressing the right verdict add a point and show the verdict, the evidence and its source?"""
    before = sorter.feedback.value
    sorter.verdict_buttons[right_verdict(sorter)].click()
    assert (sorter.score, sorter.answered) == (1, 1)
    assert sorter.feedback.value != before and "Right:" in sorter.feedback.value
    assert "The evidence:" in sorter.feedback.value and "Source:" in sorter.feedback.value
    assert "Score: 1 right out of 1 answered" in sorter.score_box.value
    assert "Right:" in sorter.describe() and "Evidence:" in sorter.describe()


def test_a_wrong_answer_counts_but_does_not_score(sorter):
    """Does a wrong verdict count as answered, add no point, and say what the statement really is?"""
    sorter.verdict_buttons[wrong_verdict(sorter)].click()
    assert (sorter.score, sorter.answered) == (0, 1)
    assert "Not quite:" in sorter.feedback.value and "This statement is a myth." in sorter.feedback.value


def test_only_the_first_answer_counts(sorter):
    """Once answered, are the answer buttons disabled, and does a second answer change nothing?"""
    sorter.answer(wrong_verdict(sorter))
    assert all(b.disabled for b in sorter.verdict_buttons.values())
    sorter.answer(right_verdict(sorter))
    assert (sorter.score, sorter.answered) == (0, 1)


def test_next_statement_needs_an_answer_first(sorter):
    """Is Next statement disabled until the statement is answered, and does it then show the next one?"""
    sorter.next_statement()
    assert sorter.position == 0
    sorter.answer("fact")
    assert not sorter.next_button.disabled
    sorter.next_button.click()
    assert sorter.position == 1 and sorter.choice == ""
    assert "Statement 2 of" in sorter.statement_box.value and "Press Myth, Fact or Partly true" in sorter.feedback.value
    assert not any(b.disabled for b in sorter.verdict_buttons.values())


def test_partly_true_statements_need_partly_true(sorter):
    """Is a 'partly' statement right only when answered Partly true, with its caveat shown?"""
    while sorter.statement["verdict"] != "partly":
        sorter.answer("myth")
        sorter.next_statement()
    sorter.answer("fact")
    assert "Not quite:" in sorter.feedback.value and "partly true" in sorter.feedback.value


def test_all_right_gives_full_score_and_ends(sorter):
    """Answering every statement rightly, does the score reach the total, with Next disabled on the last?"""
    total = len(sorter.statements)
    for i in range(total):
        sorter.answer(right_verdict(sorter))
        if i < total - 1:
            sorter.next_statement()
    assert sorter.finished and (sorter.score, sorter.answered) == (total, total)
    assert sorter.next_button.disabled and "That was the last statement" in sorter.feedback.value
    sorter.next_statement()
    assert sorter.position == total - 1


def test_start_again_clears_the_score(sorter):
    """Does Start again go back to statement 1 with no answer and a zero score?"""
    sorter.answer(right_verdict(sorter))
    sorter.next_statement()
    sorter.answer(right_verdict(sorter))
    sorter.restart_button.click()
    assert (sorter.position, sorter.choice, sorter.score, sorter.answered) == (0, "", 0, 0)
    assert "Score: 0 right out of 0 answered" in sorter.score_box.value


def test_rejects_unknown_verdicts_and_positions(sorter):
    """Are impossible answers and positions refused rather than shown?"""
    with pytest.raises(ValueError, match="verdict must be one of"):
        sorter.answer("maybe")
    with pytest.raises(Exception, match="position must be between"):
        sorter.position = 99


def test_root_has_its_css_class(sorter):
    """Does the root carry the oud-myth-or-fact class that the browser tests look for?"""
    assert "oud-myth-or-fact" in sorter._dom_classes
