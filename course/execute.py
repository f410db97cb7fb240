"""Executing submissions safely: nbgrader's ``Execute`` with a time budget, crash recovery,
an output cap, and kernels that run under a memory limit and (when we are root) as an
unprivileged user who cannot read solutions or write to the course.

Configured in nbgrader_config.py, where ``GuardedExecute`` replaces ``Execute`` in
``Autograde.autograde_preprocessors``; :mod:`course.autograde` turns the sandbox on.
"""

import asyncio
import os
import re
import tempfile
import time

from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import DottedObjectName, Enum, Integer, Type

from course import forkserver, notebooks

_SECRET = re.compile(r"DB_URL|DATABASE|^PG|PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|_KEY$", re.IGNORECASE)


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


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
    """Starts the kernel under ``prlimit --as`` and, if ``sandbox_user`` is set, as that user.

    Settings come from the environment of the grading worker (``COURSE_KERNEL_MEMORY`` in
    bytes, ``COURSE_SANDBOX_UID``/``GID``), so nbgrader's own machinery needs no change.
    With ``COURSE_KERNEL_FORKSERVER=1`` (set by the grading workers) the kernel is forked
    from a warm template instead (:mod:`course.forkserver`), with the same limits.
    """

    client_class = DottedObjectName("course.execute.QuickKernelClient")
    client_factory = Type(QuickKernelClient, klass=AsyncKernelClient)

    # jupyter_client checks every 0.1 s whether a stopped kernel has exited; it takes ~10 ms
    async def _async_finish_shutdown(self, waittime=None, pollinterval=0.01, restart=False):
        await super()._async_finish_shutdown(waittime, pollinterval, restart)

    async def _async_wait(self, pollinterval=0.01):
        await super()._async_wait(pollinterval)

    def format_kernel_cmd(self, extra_arguments=None):
        # the kernel inherits the grader's environment: never its credentials (a PostgreSQL
        # gradebook URL would let student code read hidden tests and write grades)
        secrets = [arg for name in sorted(os.environ) if _SECRET.search(name) for arg in ("-u", name)]
        return ["env", *secrets, *_limits_prefix(), *super().format_kernel_cmd(extra_arguments)]

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        _, uid, gid = _limits()
        if uid is not None:  # the unprivileged kernel must read its own connection file
            os.chown(self.connection_file, uid, gid)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        _, uid, gid = _limits()
        if uid is not None and os.environ.get("HOME"):
            # the unprivileged kernel could not use the autograded folder (it is private while
            # grading): it works in a fresh scratch folder of its own instead
            kw["cwd"] = tempfile.mkdtemp(prefix="kernel-", dir=os.environ["HOME"])
            os.chown(kw["cwd"], uid, gid)
        args = forkserver.ipykernel_args(kernel_cmd) if os.environ.get("COURSE_KERNEL_FORKSERVER") == "1" else None
        if args is not None:
            cwd = str(kw.get("cwd") or os.getcwd())
            env = _without_secrets(kw.get("env") or os.environ)
            try:
                pid = forkserver.spawn(args, env, cwd, launcher=_limits_prefix())
            except forkserver.Unavailable as exc:
                self.log.warning("starting the kernel the ordinary way: %s", exc)
            else:
                provisioner = self.provisioner
                provisioner.process = forkserver.ForkedKernel(pid)
                provisioner.pid = provisioner.pgid = pid
                provisioner.cwd = cwd
                self._reconcile_connection_info(provisioner.connection_info)
                return
        await super()._async_launch_kernel(kernel_cmd, **kw)


def start_kernel_template():
    """Start this worker's kernel template now, if kernels are to be forked (else do nothing)."""
    if os.environ.get("COURSE_KERNEL_FORKSERVER") == "1":
        forkserver.start(_without_secrets(os.environ), _limits_prefix())


def _without_secrets(env):
    return {k: v for k, v in env.items() if not _SECRET.search(k)}


def _limits_prefix():
    """The command prefix that puts a kernel under its memory limit and sandbox user."""
    memory, uid, gid = _limits()
    prefix = ["prlimit", f"--as={memory}", "--"] if memory else []
    if uid is not None:
        prefix += ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
    return prefix


def _limits():
    """``(memory bytes or None, uid or None, gid or None)`` for kernels, from the environment."""
    memory = int(os.environ["COURSE_KERNEL_MEMORY"]) if os.environ.get("COURSE_KERNEL_MEMORY") else None
    uid = os.environ.get("COURSE_SANDBOX_UID")
    if not uid:
        return memory, None, None
    return memory, int(uid), int(os.environ.get("COURSE_SANDBOX_GID", uid))


class GuardedExecute(Execute):
    """nbgrader's Execute, hardened for a cohort of arbitrary submissions.

    - a notebook-wide time budget: after it is spent (an infinite loop that times out cell
      after cell), the remaining cells are not run and say so, instead of costing one
      timeout per test cell;
    - a kernel that dies (``os._exit``, a crash, the memory limit) is restarted, the cells
      that ran before are replayed silently, and grading goes on with the next cell;
    - each cell's text output is capped, so a cell printing 100 MB cannot bloat the
      autograded notebook, the feedback or the grader's memory.
    """

    notebook_budget = Integer(120, help="seconds of execution for a whole notebook").tag(config=True)
    # a graded kernel's state is thrown away: stop it at once rather than wait ~0.1 s for it to exit
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)
    max_output_chars = Integer(20_000, help="text kept per output of a cell").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._spent = 0.0
        self._stopped = None
        self._replayable = []
        return super().preprocess(nb, resources, km)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self._stopped:
            cell.outputs = [error_output("CellNotRun", self._stopped)]
            return cell
        start = time.monotonic()
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            cell.outputs = list(cell.get("outputs", [])) + [error_output(
                "KernelDied", "the kernel died while running this cell (sys.exit/os._exit, a crash, "
                "or the memory limit); it was restarted for the cells after it")]
            await self._restart_and_replay()
        finally:
            self._spent += time.monotonic() - start
        self._cap_outputs(cell)
        if not notebooks.is_test_cell(cell):
            self._replayable.append(cell.source)
        if self._spent > self.notebook_budget and not self._stopped:
            self._stopped = (f"not run: the notebook used up its time budget of {self.notebook_budget} s "
                             "(look for an infinite loop above)")
        return cell

    # nbclient binds its sync wrapper to *its* coroutine; bind ours so the override is used
    execute_cell = run_sync(async_execute_cell)

    async def _restart_and_replay(self):
        try:
            await asyncio.wait_for(self._restart(), timeout=60)
            for source in self._replayable:  # silently: outputs are not collected
                msg_id = await ensure_async(self.kc.execute(source, silent=True, store_history=False))
                await self.async_wait_for_reply(msg_id)
        except Exception as exc:  # noqa: BLE001 -- a second failure stops this notebook only
            self._stopped = f"not run: the kernel could not be restarted ({type(exc).__name__})"

    async def _restart(self):
        await ensure_async(self.km.restart_kernel(now=True))
        await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))

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
