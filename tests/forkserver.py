"""Fresh Python processes without the import bill: a server imports the libraries every notebook uses (~6 s a process on
the 2-core box) once, and runs each script in a fork of itself, as `python -c SCRIPT ARGS…` would run it from `cwd`.
Each script gets its own process (its own modules' state, environment, working folder and exit code); only the
third-party modules below are already loaded. The server imports nothing of pause_nb and runs nothing before a fork."""
import json, subprocess, sys
from pathlib import Path

SERVER = r"""
import json, os, signal, sys, traceback
if sys.argv[1:] == ["preload"]:
    import numpy, torch, transformers, datasets, peft, trl, plotly.graph_objects, nbdev.test, nbdev.processors
    for name in ("AutoModelForCausalLM", "AutoTokenizer", "Trainer", "TrainingArguments"): getattr(transformers, name)
    for name in ("SFTConfig", "SFTTrainer", "GRPOTrainer"): getattr(trl, name)
print("ready", flush=True)
for line in sys.stdin:
    script, args, cwd, log, timeout = json.loads(line)
    pid = os.fork()
    if pid == 0:                                   # the script's own process
        code = 1
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(fd, 1); os.dup2(fd, 2)
            signal.alarm(timeout)                  # killed (SIGALRM) past its time limit
            os.chdir(cwd); sys.argv = ["-c", *args]
            exec(compile(script, "<script>", "exec"), {"__name__": "__main__"})
            code = 0
        except SystemExit as e: code = e.code if isinstance(e.code, int) else (e.code is not None)
        except BaseException: traceback.print_exc()
        finally:
            sys.stdout.flush(); sys.stderr.flush(); os._exit(code)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""

class ForkServer:
    "A running server: `run(script, *args, cwd=…)` → (exit code, output); a negative code is the signal that killed it."
    def __init__(self, env: dict, preload: bool = True):
        "Start the server with the environment `env`, given explicitly (a copy taken before any test changes os.environ); `preload`: the libraries."
        self.p = subprocess.Popen([sys.executable, "-c", SERVER, *(["preload"] if preload else [])], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=env)
        assert self.p.stdout.readline().strip() == "ready", "the fork server did not start"

    def run(self, script: str, *args: str, cwd: Path, log: Path, timeout: int = 900) -> tuple[int, str]:
        self.p.stdin.write(json.dumps([script, list(args), str(cwd), str(log), timeout]) + "\n"); self.p.stdin.flush()
        return int(self.p.stdout.readline()), Path(log).read_text()

    def close(self):
        self.p.stdin.close(); self.p.wait(timeout=60)
