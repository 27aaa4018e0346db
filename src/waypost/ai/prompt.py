"""The words Waypost sends to a language model: instructions, the team's examples, the runbook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["NOTHING", "Example", "Prompt", "build_prompt"]

NOTHING = "NOTHING"
"""What the model answers when the runbook does not ask for a step."""

SYSTEM = (
    "You work alongside engineers who operate software from Markdown runbooks. Each runbook mixes "
    "notes with code blocks that the engineers run. Your job is to write the next step of a runbook: "
    "the command the author is about to run, in a fenced code block, sometimes after one short note. "
    "Reply in Markdown only, with no preamble."
)

INSTRUCTIONS = f"""Write the next step of the runbook at the end of this message.

How to answer:
- Give one or more fenced code blocks with the commands to run, each labelled with its language
  (sh, bash, python, ...). You may put one short paragraph before them.
- Decide from the end of the runbook: the last request in the notes, or the output of the last
  command (shown in blocks labelled `output`). When output is shown, you may instead answer with a
  short note on what it means and what to do next.
- This team's history follows: requests and what they actually ran. When a request resembles one of
  them, answer the way the team did, changing only what this request changes (names, environments,
  ids, versions).
- If the end of the runbook does not ask for anything to run, answer exactly {NOTHING}.
- Text marked as truncated was cut short; if what is missing matters, suggest a command that prints
  less (filter, limit, or save to a file and query it)."""


@dataclass(frozen=True, slots=True)
class Example:
    """A past request and what the team ran for it, as Markdown."""

    request: str
    answer: str


@dataclass(frozen=True, slots=True)
class Prompt:
    system: str
    user: str


def build_prompt(context: str, examples: Sequence[Example] = ()) -> Prompt:
    parts = [INSTRUCTIONS]
    if examples:
        parts.append("The team's history, most relevant first:")
        for example in examples:
            parts.append(
                f"<example>\n<request>\n{example.request}\n</request>\n"
                f"<ran>\n{example.answer}\n</ran>\n</example>"
            )
    parts.append(f"The runbook:\n<runbook>\n{context}\n</runbook>")
    return Prompt(system=SYSTEM, user="\n\n".join(parts))
