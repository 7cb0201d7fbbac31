"""``python -m assistant.check --slides 196[,197] "TEXT"``: is each sentence of TEXT true to those slides?

Each sentence gets a verdict (supported, contradicted, not on the slides, unchecked) and the slide
line that decides it, from the same check every answer sentence passes
(``assistant.answer.support.SupportChecker.judge``). Exit 0 whatever the verdicts; bad input is
one ``error:`` line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from assistant.cli import add_batch_option, add_index_option, add_json_option, command, run, settings_from
from index.errors import InputError
from index.terminal import safe

EPILOG = """
examples:
  python -m assistant.check --slides 196 "Conditioning alone is always sufficient."
  python -m assistant.check --slides 196,197 --json "CFG mixes conditional and unconditional scores."
  printf '{"slides": [21], "text": "Momentum reduces noise."}\\n' | python -m assistant.check --batch -
"""


def build_parser(prog: str = "python -m assistant.check") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Judge each sentence of a text against chosen slides: supported, contradicted or not on the slides.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("text", nargs="*", help="the text to check (quotes optional)")
    parser.add_argument("--slides", metavar="N[,M]", help="the slides to hold it to: 196, 196,197 or 196-198")
    parser.add_argument(
        "--question", default="", help="what the text answers (its numbers and names are not inventions)"
    )
    add_json_option(parser, 'print {"sentences": [...]}')
    add_batch_option(
        parser,
        'JSON lines {"slides": [196], "text": "...", "question": "..."} from FILE (\'-\' for stdin); one JSON line out for each',
    )
    add_index_option(parser)
    return parser


def _report(judgements) -> dict:
    from assistant.answer.verify import as_json

    return {"sentences": [as_json(j) for j in judgements]}


def _print_plain(judgements) -> None:
    if not judgements:
        print("(no sentence to check)")
    for j in judgements:
        where = ", ".join(str(n) for n in j.slides)
        print(f"{j.verdict.upper():<18} {safe(j.text)}")
        if j.evidence:
            print(f"    slide {where}: {safe(j.evidence)}")
        if j.reason and not j.supported:
            print(f"    why: {safe(j.reason)}")


def _batch_request(line: str) -> tuple[list[int], str, str]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise InputError("expected an object with slides and text")
    slides, text, question = row.get("slides"), row.get("text"), row.get("question", "")
    if not isinstance(slides, list) or not slides or not all(type(n) is int for n in slides):
        raise InputError('"slides" must be a non-empty list of slide numbers')
    if not isinstance(text, str) or not text.strip():
        raise InputError('"text" must be a non-empty string')
    if question is None:
        question = ""
    if not isinstance(question, str):
        raise InputError('"question" must be a string')
    return slides, text, question


def _batch(retriever, stream: TextIO) -> int:
    from assistant.answer.verify import checker, chosen_slides, judge_text

    status = 0
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            slides, text, question = _batch_request(line)
            judged = judge_text(checker(retriever, chosen_slides(retriever, slides), question), text)
            print(json.dumps(_report(judged), ensure_ascii=False), flush=True)
        except InputError as exc:
            # The line keeps its place in the output, so answers still match requests by order.
            print(json.dumps({"error": str(exc)}, ensure_ascii=False), flush=True)
            print(f"error: line {number}: {safe(exc)}", file=sys.stderr)
            status = 2
    return status


@command
def main(argv: list[str] | None = None, stdin: TextIO | None = None, prog: str = "python -m assistant.check") -> int:
    args = build_parser(prog).parse_args(argv)
    user = settings_from(args)
    text = " ".join(args.text).strip()
    if args.batch is not None:
        if text or args.slides:
            raise InputError("--batch reads slides and text from its lines; give no TEXT or --slides with it")
    elif not args.slides:
        raise InputError("give --slides N[,M] (the slides to hold the text to)")
    elif not text:
        raise InputError("give the text to check")
    from assistant.answer.verify import checker, chosen_slides, judge_text, open_checking, parse_slides

    numbers = parse_slides(args.slides) if args.slides else []
    retriever = open_checking(user)
    if args.batch is not None:
        if args.batch == "-":
            from assistant.bank.encoding import open_text

            return _batch(retriever, stdin or open_text(sys.stdin.buffer, "the batch on stdin"))
        try:
            with open(args.batch, "rb") as raw:
                from assistant.bank.encoding import open_text

                return _batch(retriever, open_text(raw, f"the batch file {args.batch}"))
        except OSError as exc:
            raise InputError(f"cannot read {args.batch}: {exc.strerror or exc}") from None
    judged = judge_text(checker(retriever, chosen_slides(retriever, numbers), args.question), text)
    if args.json:
        print(json.dumps(_report(judged), ensure_ascii=False))
    else:
        _print_plain(judged)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
