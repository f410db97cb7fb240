"""Page helpers shared by the browser tests: JupyterLab's menus, cells and kernel status."""

import re


def menu(page, label, command):
    """Open the main menu ``label`` and click the item that runs ``command``."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(f"^{label}$")).click()
    item = page.locator(f'.lm-Menu:visible li.lm-Menu-item[data-command="{command}"]')
    item.first.wait_for(state="visible")
    item.first.click()


def outputs_text(cell):
    # textContent, not innerText: JupyterLab skips rendering off-screen cells (content-visibility)
    return cell.locator(".jp-OutputArea").text_content()


def scroll_to(locator, block="start", below=0):
    """Scroll ``locator`` into view, starting (``block="start"``) or ending at the viewport edge
    (``below``: pixels to leave above it, e.g. for a fixed navbar)."""
    locator.evaluate("(el, [block, below]) => { el.scrollIntoView({block}); if (below) window.scrollBy(0, -below); }",
                     [block, below])
    locator.page.wait_for_timeout(300)  # let JupyterLab render the cells that came into view


def wait_kernel_idle(page, timeout):
    """The notebook's kernel has started and is idle: the status bar says so, nothing runs."""
    page.wait_for_function(
        """() => {
            const status = document.querySelector('#jp-main-statusbar span[title^="Change kernel"]');
            const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
            const busy = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator:not([data-status="idle"])');
            return status && /\\| Idle$/.test(status.textContent.trim()) && !busy;
        }""",
        timeout=timeout,
    )
