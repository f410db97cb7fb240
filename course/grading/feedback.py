"""An nbgrader preprocessor that keeps hidden tests out of the feedback students receive.

nbgrader's own feedback shows each test cell as the autograder ran it -- hidden tests
included (nbgrader issues #917, #1363) -- and an IPython traceback quotes the failing test
line, expected values and all. :class:`HideHiddenTests` runs in ``generate_feedback`` after
the grades are read: it removes every ``### BEGIN/END HIDDEN TESTS`` region from test cells
and reduces the error output of any test cell that had one to its last line
(``CheckFailure: dW: relative error 3.2e-02 > 1e-07 ...``), which is the sentence the student
needs.
"""

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

HIDDEN_NOTE = "# (hidden tests: their code is not shown; the message below says what failed)"


class HideHiddenTests(NbGraderPreprocessor):
    begin = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin not in cell.source:
            return cell, resources
        kept, hiding = [], False
        for line in cell.source.split("\n"):
            if self.begin in line:
                hiding = True
                kept.append(HIDDEN_NOTE)
            elif self.end in line:
                hiding = False
            elif not hiding:
                kept.append(line)
        cell.source = "\n".join(kept)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
