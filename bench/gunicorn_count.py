"""gunicorn config for bench/http_pattern.py: each worker counts the SQL statements it sends and
writes the count to $XINFANG_BENCH_COUNT_DIR when it exits (a file written after every request
cost the measured workers a few syscalls per request). The benchmark divides by every instance
the workers served, warm-up included: each instance sends the same statements."""
import os

_count = {"n": 0}


def post_fork(server, worker):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def count(*_args, **_kwargs):
        _count["n"] += 1
    event.listen(Engine, "before_cursor_execute", count)


def worker_exit(server, worker):
    folder = os.environ.get("XINFANG_BENCH_COUNT_DIR")
    if folder:
        with open(os.path.join(folder, f"{os.getpid()}.count"), "w") as fh:
            fh.write(str(_count["n"]))
