"""Executing a submission: student cells in a sandboxed kernel, test cells in a trusted process.

This is the course's trust boundary, configured in ``nbgrader_config.py`` as the first of
``Autograde.autograde_preprocessors``, so ``nbgrader autograde``, the formgrader's Autograde
button and ``python -m course autograde`` all grade the same way.

:class:`GuardedExecute` is nbgrader's ``Execute`` with one change of principle: an autograded
**test cell is never sent to the student's kernel**. Every other cell (the setup, the
student's answers, demos) runs in the kernel, which :class:`SandboxKernelManager` starts in a
bubblewrap sandbox (:mod:`course.grading.sandbox`). A test cell runs in
:mod:`course.grading.runner`, a separate process of the grader's, where the student's
functions are stand-ins: when the test calls one, the runner asks this executor, which runs
the call in the kernel through :func:`course.boundary.serve` -- data in, data out, with a time
limit enforced from here -- and hands back the answer. The executor also measures the
kernel's memory from outside and sends the submission's source along for the static checks.

Beyond that it keeps what nbgrader lacks for a cohort of arbitrary submissions: a notebook
time budget (an infinite loop does not cost one timeout per test cell), recovery from a dying
kernel (restart, replay the cells that ran, go on), and a cap on each cell's output.
"""

import asyncio
import atexit
import json
import os
import re
import select
import subprocess
import sys
import time

from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import DottedObjectName, Enum, Integer, Type

from course import boundary
from course.grading import forkserver, notebooks, sandbox

_SECRET = re.compile(r"DB_URL|DATABASE|^PG|PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|_KEY$", re.IGNORECASE)


def error_output(ename, evalue, traceback=None):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=traceback or [f"{ename}: {evalue}"])


def without_secrets(env):
    return {k: v for k, v in env.items() if not _SECRET.search(k)}


class QuickKernelClient(AsyncKernelClient):
    """jupyter_client's async client, minus two fixed waits that cost every notebook ~0.3 s.

    ``wait_for_ready`` is jupyter_client's handshake (a ``kernel_info`` reply on shell, then
    any message on IOPub to prove it is connected), but it drains IOPub for 10 ms instead of
    waiting for 0.2 s of silence: nbclient ignores messages that answer other requests.
    """

    async def wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
                if reply["msg_type"] == "kernel_info_reply":
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                    self._handle_kernel_info_reply(reply)
                    break
            except Empty:
                pass
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=0.01))
            except Empty:
                break


class SandboxKernelManager(AsyncKernelManager):
    """Starts each kernel in a bubblewrap sandbox of its own (see :mod:`course.grading.sandbox`).

    The kernel talks to the grader over Unix sockets in a private folder (its *workspace*),
    the only place of the grader's it can write. With ``COURSE_KERNEL_FORKSERVER=1`` (set by
    the grading workers) the kernel is forked from a warm template that lives in such a
    sandbox, and gets namespaces of its own on top (:mod:`course.grading.forkserver`).
    """

    client_class = DottedObjectName("course.grading.execute.QuickKernelClient")
    client_factory = Type(QuickKernelClient, klass=AsyncKernelClient)

    workspace = None
    sandbox_uid = None
    survivors = 0  # processes that outlived the kernel (killed when it stopped)

    # jupyter_client checks every 0.1 s whether a stopped kernel has exited; it takes ~10 ms
    async def _async_finish_shutdown(self, waittime=None, pollinterval=0.01, restart=False):
        await super()._async_finish_shutdown(waittime, pollinterval, restart)

    async def _async_wait(self, pollinterval=0.01):
        await super()._async_wait(pollinterval)

    @property
    def sandboxed(self):
        return not sandbox.unsandboxed()

    @property
    def forked(self):
        return os.environ.get("COURSE_KERNEL_FORKSERVER") == "1" and self.sandboxed

    async def _async_pre_start_kernel(self, **kw):
        if self.workspace is None:  # once per manager: a restart keeps the connection file
            if self.forked:
                self.workspace, self.sandbox_uid = forkserver.workspace()
            else:
                self.sandbox_uid = sandbox.unique_uid() if os.geteuid() == 0 and self.sandboxed else None
                self.workspace = sandbox.new_workspace(self.sandbox_uid)
            self.transport = "ipc"
            self.ip = str(self.workspace / "kernel")
            self.connection_file = str(self.workspace / "connection.json")
        return await super()._async_pre_start_kernel(**kw)

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.sandbox_uid is not None:  # the kernel must read it
            os.chown(self.connection_file, self.sandbox_uid, self.sandbox_uid)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandboxed:
            return ["env", *[a for n in sorted(os.environ) if _SECRET.search(n) for a in ("-u", n)], *cmd]
        return sandbox.command(cmd, writable=[self.workspace], uid=self.sandbox_uid)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.forked:
            args = forkserver.ipykernel_args(kernel_cmd)
            try:
                pid = forkserver.spawn(args, self.workspace)
            except forkserver.Unavailable as exc:
                self.log.warning("starting the kernel in a fresh sandbox instead of forking it: %s", exc)
            else:
                provisioner = self.provisioner
                provisioner.process = forkserver.ForkedKernel(pid)
                provisioner.pid = provisioner.pgid = pid
                provisioner.cwd = sandbox.HOME
                self._reconcile_connection_info(provisioner.connection_info)
                return
        if self.sandboxed:
            kw["env"], kw["cwd"] = {}, "/"  # bwrap --clearenv builds the kernel's environment itself
        # the kernel talks over its sockets; its terminal output (ipykernel's banner, whatever a
        # submission writes to the raw file descriptors) must not reach the grader's terminal
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_interrupt_kernel(self):
        """Interrupt by message (ipykernel raises KeyboardInterrupt in itself): a signal would
        stop at the sandbox's own init process."""
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    interrupt_kernel = run_sync(_async_interrupt_kernel)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart)
        if not restart and self.workspace is not None:
            self.survivors = _reap(self.sandbox_uid if not self.forked else None)
            sandbox.remove_workspace(self.workspace)
            self.workspace = None

    def kernel_pid(self):
        """The pid of the kernel process itself (inside its sandbox), or None."""
        pid = getattr(self.provisioner, "pid", None) if self.provisioner else None
        return sandbox.kernel_pid(pid) if pid else None


def _record_stats(stats):
    """Append one notebook's boundary figures to ``$COURSE_BOUNDARY_STATS`` (used by ``make bench``)."""
    path = os.environ.get("COURSE_BOUNDARY_STATS")
    if path:
        with open(path, "a") as handle:
            handle.write(json.dumps(stats) + "\n")


def _reap(uid):
    """Wait a moment for a sandbox's processes to go, then kill any left; how many were left."""
    if uid is None:
        return 0
    for _ in range(50):
        if not sandbox.processes_of(uid):
            return 0
        time.sleep(0.02)
    return sandbox.reap(uid)


# --------------------------------------------------------------------------- the trusted runner


class TrustedRunner:
    """The process where test cells run (``python -m course.grading.runner``), one per grader."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "course.grading.runner"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**without_secrets(os.environ), "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"},
            cwd="/", start_new_session=True)
        self._buffer = b""

    def alive(self):
        return self.process.poll() is None

    def send(self, message):
        self.process.stdin.write(json.dumps(message, allow_nan=True).encode() + b"\n")
        self.process.stdin.flush()

    def readline(self, timeout):
        """The next message, or None after ``timeout`` seconds (or if the runner died)."""
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    async def receive(self, timeout):
        return await asyncio.get_running_loop().run_in_executor(None, self.readline, max(0.0, timeout))

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


_runner = None


def trusted_runner():
    global _runner
    if _runner is None or not _runner.alive():
        _runner = TrustedRunner()
    return _runner


def _stop_runner():
    global _runner
    if _runner is not None:
        _runner.stop()
        _runner = None


atexit.register(_stop_runner)


# --------------------------------------------------------------------------- the preprocessor


class GuardedExecute(Execute):
    """nbgrader's Execute with the trust boundary and the safeguards described above."""

    notebook_budget = Integer(120, help="seconds of execution for a whole notebook").tag(config=True)
    call_timeout = Integer(10, help="seconds a test may wait for one call of a student function").tag(config=True)
    test_timeout = Integer(60, help="seconds for one test cell, its calls included").tag(config=True)
    # a graded kernel's state is thrown away: stop it at once rather than wait ~0.1 s for it to exit
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)
    max_output_chars = Integer(20_000, help="text kept per output of a cell").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        if sandbox.unsandboxed():
            sandbox.warn_unsandboxed(self.log)
        else:
            sandbox.require()
        self._spent = 0.0
        self._stopped = None
        self._ran = []  # (label, source) of the cells the kernel ran: replayed after a crash, analysed by tests
        self._restarts = 0
        self._described = {}  # the kernel's last answer to "describe", reused by the next test cell
        self._kernel = None
        self._last_code_cell = None
        self.stats = {"calls": 0, "call_seconds": 0.0, "test_cells": 0, "test_seconds": 0.0, "seconds": 0.0}
        start = time.monotonic()
        nb, resources = super().preprocess(nb, resources, km)
        self.stats["seconds"] = time.monotonic() - start
        self._report_survivors()
        _record_stats(self.stats)
        return nb, resources

    async def async_start_new_kernel(self, **kwargs):
        await super().async_start_new_kernel(**kwargs)
        self._kernel = self.km  # nbclient forgets it at shutdown; its survivor count is read after

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        self._last_code_cell = cell
        if self._stopped:
            cell.outputs = [error_output("CellNotRun", self._stopped)]
            return cell
        start = time.monotonic()
        try:
            if notebooks.is_test_cell(cell):
                cell.outputs = await self._run_test_cell(cell, cell_index)
                self.stats["test_cells"] += 1
                self.stats["test_seconds"] += time.monotonic() - start
            else:
                cell = await self._run_student_cell(cell, cell_index, execution_count, store_history)
        finally:
            self._spent += time.monotonic() - start
        self._cap_outputs(cell)
        if self._spent > self.notebook_budget and not self._stopped:
            self._stopped = (f"not run: the notebook used up its time budget of {self.notebook_budget} s "
                             "(look for an infinite loop above)")
        return cell

    # nbclient binds its sync wrapper to *its* coroutine; bind ours so the override is used
    execute_cell = run_sync(async_execute_cell)

    async def _run_student_cell(self, cell, cell_index, execution_count, store_history):
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            cell.outputs = list(cell.get("outputs", [])) + [error_output(
                "KernelDied", "the kernel died while running this cell (sys.exit/os._exit, a crash, "
                "or the memory limit); it was restarted for the cells after it")]
            await self._restart_and_replay()
        self._ran.append((notebooks.nbgrader_meta(cell).get("grade_id") or f"cell {cell_index + 1}", cell.source))
        return cell

    # ----------------------------------------------------------------- test cells

    async def _run_test_cell(self, cell, cell_index):
        label = notebooks.nbgrader_meta(cell).get("grade_id") or f"cell {cell_index + 1}"
        runner = trusted_runner()
        runner.send({"op": "run", "cell": label, "source": cell.source,
                     "sources": [s for _, s in self._ran], "labels": [lbl for lbl, _ in self._ran]})
        deadline = time.monotonic() + min(self.test_timeout, max(1.0, self.notebook_budget - self._spent))
        while True:
            message = await runner.receive(deadline - time.monotonic())
            if message is None:
                _stop_runner()
                return [error_output("TestTimeout", f"the test {label} did not finish within its time limit; "
                                                    "it was stopped (tell your instructor)")]
            op = message.get("op")
            if op == "done":
                return self._test_outputs(message)
            if op == "describe":
                names = list(message.get("names", []))
                key = (tuple(names), len(self._ran), self._restarts)  # unchanged until a student cell runs
                reply = self._described.get(key)
                if reply is None:
                    reply = await self._kernel_request({"op": "describe", "names": names}, timeout=self.call_timeout)
                    if reply.get("ok"):
                        self._described = {key: reply}
            elif op == "call":
                reply = await self._kernel_call(message, runner, deadline)
            else:
                reply = {"ok": False, "error": {"type": "GraderError", "message": f"unknown request {op!r}"}}
            runner.send({"op": "reply", **reply})

    def _test_outputs(self, message):
        outputs = []
        if message.get("stdout"):
            outputs.append(NotebookNode(output_type="stream", name="stdout", text=message["stdout"]))
        if not message.get("ok"):
            outputs.append(error_output(message.get("ename", "Error"), message.get("evalue", ""),
                                        message.get("traceback")))
        return outputs

    async def _kernel_call(self, message, runner, deadline):
        timeout = float(message.get("timeout") or self.call_timeout)
        timeout = max(0.5, min(timeout, deadline - time.monotonic()))
        request = {k: message[k] for k in ("name", "args", "kwargs", "warnings", "forbid")}
        request["op"] = "call"
        return await self._kernel_request(request, timeout, runner=runner, memory=bool(message.get("memory")))

    async def _kernel_request(self, request, timeout, runner=None, memory=False):
        """Run :func:`course.boundary.serve` in the kernel; its answer, or ``{"failure": sentence}``."""
        if self.kc is None or not await ensure_async(self.km.is_alive()):
            return {"failure": "could not be called: the kernel is not running."}
        pid = self.km.kernel_pid() if memory else None
        base = None
        if pid and sandbox.reset_peak(pid):
            base = sandbox.memory(pid)[0]
        payload = boundary.dumps(request)
        inline = len(payload) <= boundary.INLINE_REQUEST  # a long request goes by stdin (see boundary.serve)
        code = f"__import__('course.boundary', fromlist=['serve']).serve({payload if inline else None!r})"
        started = time.monotonic()
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=True, stop_on_error=False)
        outcome = await self._await_answer(msg_id, timeout, runner, request=None if inline else payload)
        self.stats["calls"] += 1
        self.stats["call_seconds"] += time.monotonic() - started
        if outcome == "timeout":
            await ensure_async(self.km.interrupt_kernel())
            if await self._await_answer(msg_id, 3.0, None) not in ("timeout", "died"):
                return {"failure": f"did not finish within {timeout:.0f} s and was interrupted (an infinite loop, "
                                   "or far too slow?)."}
            await self._restart_and_replay()
            return {"failure": f"did not finish within {timeout:.0f} s; the kernel was restarted (an infinite loop?)."}
        if outcome == "died":
            await self._restart_and_replay()
            return {"failure": "crashed the kernel (os._exit, a crash, or the memory limit); it was restarted."}
        answer = outcome
        if answer is None:
            return {"failure": "did not return an answer the grader could read."}
        if memory:
            peak = sandbox.memory(pid)[1] if base is not None else None
            answer["memory"] = None if peak is None else max(0, peak - base)
        return answer

    async def _await_answer(self, msg_id, timeout, runner, request=None):
        """Collect the kernel's answer to ``msg_id``: the decoded answer (or None if it sent
        none), ``"timeout"`` or ``"died"``. Relays callbacks to the runner meanwhile, and
        hands ``request`` (once) to the kernel's ``serve`` when it asks for it on stdin."""
        deadline = time.monotonic() + timeout
        poller = zmq.asyncio.Poller()
        channels = {self.kc.iopub_channel.socket: self.kc.iopub_channel,
                    self.kc.shell_channel.socket: self.kc.shell_channel,
                    self.kc.stdin_channel.socket: self.kc.stdin_channel}
        for socket in channels:
            poller.register(socket, zmq.POLLIN)
        answer, replied, idle, last_alive_check = None, False, False, time.monotonic()
        while not (replied and (idle or answer is not None)):  # the answer comes before idle: no need to wait
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            ready = dict(await poller.poll(timeout=min(left, 0.5) * 1000))
            if time.monotonic() - last_alive_check > 0.5 or not ready:
                last_alive_check = time.monotonic()
                if not await ensure_async(self.km.is_alive()):
                    return "died"
            for socket in ready:
                channel = channels[socket]
                try:
                    msg = await channel.get_msg(timeout=0)
                except Empty:
                    continue
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if channel is self.kc.shell_channel and kind == "execute_reply":
                    replied = True
                elif kind == "status" and msg["content"].get("execution_state") == "idle":
                    idle = True
                elif kind == "display_data" and boundary.MIME in msg["content"].get("data", {}):
                    try:
                        answer = boundary.loads(msg["content"]["data"][boundary.MIME])
                    except (ValueError, TypeError):
                        answer = None
                elif kind == "input_request":
                    prompt = msg["content"].get("prompt", "")
                    if prompt == boundary.REQUEST_PROMPT and request is not None:
                        self.kc.input(request)
                        request = None
                    else:
                        self.kc.input(await self._callback(prompt, runner))
        return answer

    async def _callback(self, prompt, runner):
        """The student's code called a function of the test: run it on the trusted side."""
        if runner is None or not prompt.startswith(boundary.CALLBACK_PROMPT):
            return boundary.dumps({"ok": False, "message": "no input is available while grading"})
        try:
            request = boundary.loads(prompt[len(boundary.CALLBACK_PROMPT):])
            runner.send({"op": "callback", "id": int(request["id"]), "args": request["args"],
                         "kwargs": request["kwargs"]})
        except (ValueError, TypeError, KeyError):
            return boundary.dumps({"ok": False, "message": "malformed callback"})
        reply = await runner.receive(self.test_timeout)
        if not reply or reply.get("op") != "callback_result":
            return boundary.dumps({"ok": False, "message": "the test's function did not answer"})
        return boundary.dumps({k: reply[k] for k in ("ok", "value", "message") if k in reply})

    # ----------------------------------------------------------------- crashes and budgets

    async def _restart_and_replay(self):
        self._restarts += 1
        try:
            await asyncio.wait_for(self._restart(), timeout=60)
            for _, source in self._ran:  # silently: outputs are not collected
                msg_id = await ensure_async(self.kc.execute(source, silent=True, store_history=False))
                await self.async_wait_for_reply(msg_id)
        except Exception as exc:  # noqa: BLE001 -- a second failure stops this notebook only
            self._stopped = f"not run: the kernel could not be restarted ({type(exc).__name__})"

    async def _restart(self):
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))

    def _report_survivors(self):
        left = getattr(self._kernel, "survivors", 0)
        if left and self._last_code_cell is not None:
            self._last_code_cell.outputs.append(NotebookNode(
                output_type="stream", name="stdout",
                text=f"[grader] {left} process(es) started by this notebook outlived its kernel and were killed.\n"))

    def _cap_outputs(self, cell):
        limit = self.max_output_chars
        for output in cell.outputs:
            if output.get("output_type") == "stream" and len(output.get("text", "")) > limit:
                size = len(output["text"])
                output["text"] = output["text"][:limit] + (
                    f"\n[... output truncated: this cell printed {size:,} characters; the first {limit:,} are kept]\n")
            data = output.get("data", {})
            for mime in [m for m in data if m.startswith("text/")]:
                text = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
                if len(text) > limit:
                    data[mime] = text[:limit] + "\n[... output truncated]"
