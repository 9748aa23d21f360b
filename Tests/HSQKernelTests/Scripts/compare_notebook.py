"""Compares a notebook run by `jupyter execute` with the exported notebook it came from.

Usage: compare_notebook.py EXPORTED.ipynb EXECUTED.ipynb
For every code cell, the text the kernel printed — its streams (joined), and the text/plain of
its displays and results, one per command — must equal the exported cell's recorded text (its
streams, the text/plain beside the text/html of a block holding tables, and the terminal plot a figure
carries as its text/plain).
Progress displays (metadata hsq.progress) and a figure's file name standing in for empty text are
not part of it. Exits 1 naming the first cell that differs.
"""
import sys

import nbformat


def recorded(cell):
    """The block's text, in order: its streams, the text/plain of displays holding tables, and the text/plain
    of figures that carry their command's text (a terminal plot; a figure's bare file name is not text),
    joined by blank lines as the block's commands were."""
    pieces = []
    for o in cell["outputs"]:
        data = o.get("data", {})
        if o["output_type"] == "stream":
            pieces.append(o["text"][:-1] if o["text"].endswith("\n") else o["text"])
        elif "text/html" in data:
            pieces.append(data["text/plain"])
        elif "image/svg+xml" in data and "\n" in data.get("text/plain", ""):
            pieces.append(data["text/plain"])
    return "\n\n".join(pieces)


def printed(cell):
    pieces, stream = [], None
    for o in cell["outputs"]:
        hsq = o.get("metadata", {}).get("hsq", {})
        if o["output_type"] == "stream":
            stream = (stream or "") + o["text"]
            continue
        if hsq.get("progress"):
            continue  # a live display between two commands' text: the kernel's streams run on around it
        if stream is not None:
            pieces.append(stream[:-1] if stream.endswith("\n") else stream)
            stream = None
        if o["output_type"] == "error":
            pieces.append("error: " + o["evalue"])
        elif "figure" in hsq and o["data"].get("text/plain") == hsq["figure"]:
            continue
        else:
            pieces.append(o["data"].get("text/plain", ""))
    if stream is not None:
        pieces.append(stream[:-1] if stream.endswith("\n") else stream)
    return "\n\n".join(pieces)


def main(exported_path, executed_path):
    exported = nbformat.read(exported_path, as_version=4)
    executed = nbformat.read(executed_path, as_version=4)
    code = [(a, b) for a, b in zip(exported.cells, executed.cells) if a.cell_type == "code"]
    for number, (a, b) in enumerate(code, start=1):
        want, got = recorded(a), printed(b)
        if want != got:
            old, new = want.split("\n"), got.split("\n")
            line = next((i for i in range(min(len(old), len(new))) if old[i] != new[i]), min(len(old), len(new)))
            print(f"cell {number} ({a.source.splitlines()[0] if a.source else ''!r}) differs at output line {line + 1}:")
            print(f"  recorded: {old[line] if line < len(old) else '(end of output)'!r}")
            print(f"  kernel:   {new[line] if line < len(new) else '(end of output)'!r}")
            return 1
    print(f"{len(code)} code cells match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
