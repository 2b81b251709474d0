"""Where the action server's and the gateway's own time goes per message, under load.

    .venv/bin/python bench/process_profile.py [--rate 10] [--seconds 30] [--top 12]

Starts the processes of `make run` (bench/processes.py) with the action server and the gateway
under cProfile (timing the CPU of their event loop's thread), plays the two-turn conversation
of bench/throughput.py through web chat at ``--rate`` messages a second, stops both (their
profiles are written as they exit) and prints,
for each, the CPU milliseconds per message by package (json, jsonschema, sqlalchemy, aiohttp,
sanic, the project's own code...: each function's own time, so nothing is counted twice) and
its most expensive functions. Profiled figures are slower than real ones (cProfile costs most
in pure Python code); compare the shares, and bench/throughput.py for real CPU per message.
Results: results/bench/process_profile.json. Rasa itself: bench/rasa_turn_profile.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import re
import shutil
import signal
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import report, unpooled_session
from bench.processes import start_setup
from bench.throughput import load, webchat_turn
from scripts.stack import ServiceSpec

PROFILED = ("actions", "gateway")
# ``python -m MODULE`` under cProfile with the event loop thread's CPU time as its clock
# (cProfile's own clock is the wall's, which counts the loop's idle waits as the time of the
# function that runs it), from SIGUSR1 on. Work the gateway hands to its store's threads is not
# in the profile.
PROFILED_RUN = """
import cProfile, runpy, signal, time
profile = cProfile.Profile(time.thread_time)
signal.signal(signal.SIGUSR1, lambda *_: profile.enable())  # after start-up and warm-up
try:
    runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
except SystemExit:
    pass
finally:
    profile.disable()
    profile.dump_stats({out!r})
"""
_BUILTIN = re.compile(r"\{(?:built-in )?method '[^']+' of '([\w.]+)\.\w+' objects\}")


def package(filename: str, function: str) -> str:
    """The package a profiled function belongs to: a site-packages top-level name, the
    project's folder (actions, bot, region), a standard-library module, or a C extension's."""
    if filename == "~":
        found = _BUILTIN.match(function)
        return found.group(1).split(".")[0].lstrip("_") if found else "builtins"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    for own in ("actions", "bot", "region", "scripts"):
        if own in parts and "lib" not in parts:
            return own
    if "python3.10" in parts:
        rest = parts[parts.index("python3.10") + 1 :]
        return rest[0].removesuffix(".py") if rest else "python"
    return path.stem


def summary(profile: Path, messages: int, top: int) -> dict[str, Any]:
    stats: Any = pstats.Stats(str(profile))
    by_package: dict[str, float] = defaultdict(float)
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        by_package[package(filename, function)] += own
        rows.append((own, calls, cumulative, f"{Path(filename).name}:{line}({function})"))
    total = sum(by_package.values()) or 1e-9
    ranked = sorted(by_package.items(), key=lambda item: -item[1])
    return {
        "profiled_ms_per_message": round(1000 * total / messages, 2),
        "by_package_ms_per_message": {
            name: round(1000 * seconds / messages, 3) for name, seconds in ranked[:top]
        },
        "by_package_share_percent": {
            name: round(100 * seconds / total, 1) for name, seconds in ranked[:top]
        },
        "top_functions": [
            {
                "function": where,
                "calls": calls,
                "own_ms_per_message": round(1000 * own / messages, 3),
                "cumulative_ms_per_message": round(1000 * cumulative / messages, 3),
            }
            for own, calls, cumulative, where in sorted(rows, reverse=True)[:top]
        ],
    }


async def drive(
    gateway_url: str, rate: float, seconds: float, start_profiles: Callable[[], None]
) -> dict[str, float]:
    """Warm up, start the profiles, and play the load; its figures."""
    async with unpooled_session() as http:
        turn = webchat_turn(http, gateway_url)
        await load(turn, 2.0, 5.0)
        start_profiles()
        return await load(turn, rate, seconds)


def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="process-profile-"))
    outputs = {name: folder / f"{name}.prof" for name in PROFILED}

    def profiled(spec: ServiceSpec) -> ServiceSpec:
        if spec.name not in outputs:
            return spec
        python, _, module, *rest = spec.command  # python -m MODULE ARGS...
        run = PROFILED_RUN.format(out=str(outputs[spec.name]), module=module)
        command = [python, "-c", run, *rest]
        return ServiceSpec(spec.name, command, spec.health_url, spec.env, spec.stop_signal)

    setup = start_setup(1, True, wrap=profiled)
    try:
        assert setup.gateway_url is not None
        pids = setup.pids()

        def start_profiles() -> None:
            for name in PROFILED:
                os.kill(pids[name], signal.SIGUSR1)

        figures = asyncio.run(drive(setup.gateway_url, args.rate, args.seconds, start_profiles))
        for name in PROFILED:
            setup.stack.stop(name)  # SIGTERM: each exits cleanly and writes its profile
    finally:
        setup.stop()
    messages = int(figures["answered"])
    result: dict[str, Any] = {"settings": vars(args), "load": figures}
    for name, path in outputs.items():
        result[name] = summary(path, messages, args.top) if path.exists() else "no profile"
    shutil.rmtree(folder, ignore_errors=True)
    report("process_profile", result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--top", type=int, default=12)
    main(parser.parse_args())
