"""Static analysis of submitted code (course.constraints): loops, forbidden calls, silencers, tampering."""

from course.constraints import Program

CELLS = [
    "import numpy as np\nfrom course import gradcheck\nfrom numpy import convolve as cv\nimport scipy.signal",
    "def helper(x):\n    return cv(x, x)\n\ndef conv1d(x, w, mode='full'):\n    return [v for v in helper(x)]\n",
    "def vectorized(X, W):\n    return np.exp(X) @ W\n",
    "def conv2d(X, W, b):\n    KH, KW = W.shape[:2]\n    out = 0\n    for i in range(KH):\n        for j in range(KW):\n"
    "            out = out + X[:, i:i+1]\n    for n in range(X.shape[0]):\n        pass\n    return out\n",
    "def nj(f, a):\n    return gradcheck.numerical_jacobian(f, a)\nalias = nj\n",
    "def sig(x):\n    with np.errstate(over='ignore'):\n        return 1/(1+np.exp(-x))\n",
    "def rec(n):\n    return rec(n - 1) if n else 0\n",
    "def hidden(x):\n    return np.vectorize(lambda v: v)(x)\n",
    "def modes(x):\n    return [m for m in ('full', 'valid')]\n",
    "def stub(x):\n    raise NotImplementedError()\n",
]


def whys(findings):
    return [f.why for f in findings]


def test_loops_in_the_function_and_its_helpers():
    p = Program(CELLS)
    assert whys(p.loops("conv1d")) == ["a comprehension in conv1d"]
    assert p.loops("vectorized") == [] and p.loops("modes") == []
    assert whys(p.loops("rec")) == ["rec calls itself (recursion is a loop)"]
    assert "np.vectorize is a Python loop in disguise" in whys(p.loops("hidden"))
    assert [f.line for f in p.loops("conv2d", allow_shape_of=("W",))] == [7]  # the loop over the batch only


def test_forbidden_functions_through_any_alias():
    p = Program(CELLS)
    assert whys(p.uses("conv1d", ["numpy.convolve", "scipy"])) == ["helper uses numpy.convolve"]
    assert whys(p.uses("alias", ["course.gradcheck.numerical_jacobian"])) == ["nj uses course.gradcheck.numerical_jacobian"]
    assert p.uses("vectorized", ["numpy.convolve"]) == []
    dynamic = Program(["import numpy as np\ndef f(x):\n    return getattr(np, 'conv' + 'olve')(x, x)\n"])
    assert "looks a name up dynamically" in whys(dynamic.uses("f", ["numpy.convolve"]))[0]


def test_silencing_and_stubs():
    p = Program(CELLS)
    assert whys(p.silencers("sig")) == ["sig silences warnings with numpy.errstate"]
    assert whys(p.stubbed("stub")) == ["stub is not implemented yet"] and p.stubbed("vectorized") == []


def test_tampering_is_found_anywhere_but_honest_code_is_not():
    hostile = Program(["import sys\nsys.settrace(None)", "import numpy as np\nnp.allclose = lambda *a: True",
                       "x = getattr(object, 'a' + 'b')", "exec('1')", "import ctypes", "f.__code__ = g.__code__",
                       "get_ipython().events.register('pre_run_cell', print)", "!ls"])
    found = whys(hostile.tampering())
    for phrase in ["uses sys.settrace", "changes numpy.allclose", "computed name", "calls exec()", "imports ctypes",
                   "uses the attribute __code__", "uses get_ipython"]:
        assert any(phrase in w for w in found), (phrase, found)
    honest = Program(CELLS + ["%timeit vectorized(1, 2)", "import mpmath\nmpmath.mp.dps = 30",
                              "print(getattr(np, 'pi'))"])
    assert honest.tampering() == []


def test_only_the_release_stub_counts_as_not_implemented():
    p = Program(["def stub(x):\n    '''Doc.'''\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
                 "def conv1d(x, mode='full'):\n    if mode not in ('full', 'valid'):\n        raise NotImplementedError(mode)\n"
                 "    return x\n", "def caller(x):\n    return stub(x)\n"])
    assert whys(p.stubbed("stub")) == ["stub is not implemented yet"]
    assert p.stubbed("conv1d") == []
    assert whys(p.stubbed("caller")) == ["stub is not implemented yet"]
