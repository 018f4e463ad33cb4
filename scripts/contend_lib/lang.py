"""The two languages in one table: whose design a row is, what Go's older files called their rows,
and the work a figure does where the two languages' rows of one name differ.

Whose: a design named `go_...` is Go's (go/README.md), every other one C++'s. `contend advise`
answers among one language's designs (`--lang cpp|go|all`, C++ by default).

Go's hand-off and owner designs (channels: go_chan_buffered, go_chan_unbuffered; counters and maps:
go_chan) have two rows since the Go binary pins them: the plain name runs each goroutine locked to
an OS thread and pinned to a CPU of its own, as the C++ threads run (counters `go_locked` = 1 and
`go_pinned`), and `<impl>_sched` leaves them to Go's scheduler, which runs a woken goroutine on its
waker's P so that a hand-off mostly stays on one CPU. A Go file written before that (no
`go_locked` counter on its rows) measured the scheduler's choice under the plain name: the loader
reads those rows as `<impl>_sched` (`legacy_name`). Such files put `go_chan_unbuffered`
(capacity 0, every send a rendezvous) in the `-small` channel workloads beside the capacity-64
channels; its own capacity class is `-unbuffered` (spsc-unbuffered, ...), where the loader moves
them.

Same design, same work: a C++ and a Go figure of one workload do the same operations except where
`work_note` names the difference. Go files without the context key `probe_loop` (written before the
Go binary matched them) read a get_many batch with 16 single Gets where C++ sends one batched
request, and their mutex stack takes no run-length probe under its lock where the C++ one counts
`lock_run_length`; `sync.Map` has no batched read, so go_syncmap's get_many is 16 Loads in every
file. Comparisons name the note beside the figure (go_verdict, compare, findings, advise, charts).
"""
CPP, GO, ALL = "cpp", "go", "all"
LANGS = (CPP, GO, ALL)
NAMES = {CPP: "C++", GO: "Go", ALL: "C++ and Go"}
SCHED = "_sched"
# (family, impl): the designs whose plain rows are pinned and whose scheduler rows are <impl>_sched.
HAND_OFF = {("channels", "go_chan_buffered"), ("channels", "go_chan_unbuffered"), ("counters", "go_chan"),
            ("maps", "go_chan")}
UNBUFFERED = "go_chan_unbuffered"


def of(impl):
    """The language of a design: "go" or "cpp"."""
    return GO if str(impl).startswith("go_") else CPP


def is_go(impl):
    return of(impl) == GO


def member(impl, lang):
    """Whether the design is one `--lang` asks for."""
    return lang in (None, ALL) or of(impl) == lang


def label(impl):
    """The design as a ranking of both languages names it: "go_mutex (Go's)", "mutex"."""
    return f"{impl} (Go's)" if is_go(impl) else str(impl)


def is_go_file(doc):
    ctx = doc.get("context") if isinstance(doc, dict) else None
    ctx = ctx if isinstance(ctx, dict) else {}
    return str(ctx.get("lang", "")) == GO or str(ctx.get("contend_family", "")).startswith("go_")


def legacy_go_file(doc):
    """A Go file written before the Go binary matched the C++ work and probe (no `probe_loop`)."""
    ctx = doc.get("context") if isinstance(doc, dict) else None
    return is_go_file(doc) and not (isinstance(ctx, dict) and ctx.get("probe_loop"))


def legacy_name(family, workload, impl, entry):
    """(workload, impl) of a Go row as this contend names it: a hand-off or owner design's row
    without `go_locked` is the scheduler's choice (`<impl>_sched`), and the unbuffered channel of a
    `-small` workload is its own capacity class (`-unbuffered`)."""
    if (family, impl) not in HAND_OFF or "go_locked" in entry:
        return workload, impl
    if family == "channels" and impl == UNBUFFERED and str(workload).endswith("-small"):
        workload = workload[:-len("-small")] + "-unbuffered"
    return workload, impl + SCHED


def base_name(impl):
    """go_chan_buffered_sched -> go_chan_buffered; other names as they are."""
    impl = str(impl)
    return impl[:-len(SCHED)] if impl.endswith(SCHED) and impl.startswith("go_") else impl


def is_sched(impl):
    return str(impl).startswith("go_") and str(impl).endswith(SCHED)


def work_note(family, workload, impl, legacy):
    """What this figure's work is where it differs from the C++ rows of the workload ("" where it
    does not): `legacy` is a Go file without `probe_loop`."""
    if not is_go(impl):
        return ""
    if family == "maps" and str(workload).startswith("get_many"):
        if base_name(impl) == "go_syncmap":
            return "get_many as 16 Loads (sync.Map has no batched read), not one batched request"
        if legacy:
            return "get_many as 16 single Gets (an older Go file), not one batched request"
    if family == "stacks" and base_name(impl) == "go_mutex" and legacy:
        return "no run-length probe under its lock (an older Go file; the C++ mutex stack takes one)"
    return ""


def work_difference(a_impl, a_note, b_impl, b_note):
    """One phrase naming how two figures' work differs, or ""."""
    a_note, b_note = (a_note or ""), (b_note or "")
    if a_note == b_note:
        return ""
    parts = [f"{impl}: {note}" for impl, note in ((a_impl, a_note), (b_impl, b_note)) if note]
    return "different work — " + "; ".join(parts)


def work_short(note):
    """A work note in a few words, for a chart's legend."""
    if "16 Loads" in note:
        return "16 Loads a batch"
    if "16 single Gets" in note:
        return "16 Gets a batch"
    if "run-length probe" in note:
        return "no run-length probe"
    return note
