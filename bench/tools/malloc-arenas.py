# glibc malloc, arena by arena, read from a live process without calling into it (P11 investigation).
#
#   gdb -p <pid> -batch -nx -ex 'python OUT="/tmp/arenas.json"' -x bench/tools/malloc-arenas.py
#
# Needs glibc's debug symbols (Debian: libc6-dbg) for the malloc_state / tcache / mp_ types. gdb's
# inferior calls (malloc_info) fail on this VM ("Couldn't write extended state status"), so this
# walks the allocator's own structures instead: for every arena the memory it took from the
# system, the free chunks it keeps (top, bins, fastbins) and which threads use it; for every
# thread its tcache; and the chunks served by mmap. Written as JSON to OUT; gc-preload.ts runs it
# when BENCH_SMAPS_DIR is set.
import gdb
import json

inf = gdb.selected_inferior()


def u64(addr):
    return int.from_bytes(bytes(inf.read_memory(addr, 8)), 'little')


def chunk_size(addr):
    return u64(addr + 8) & ~0x7


def reveal(pos, ptr):
    # glibc >= 2.32 safe-linking for fastbins and tcache.
    return (pos >> 12) ^ ptr


def arena_report(ar):
    addr = int(ar.address)
    top = int(ar['top'])
    report = {
        'address': hex(addr),
        'systemMem': int(ar['system_mem']),
        'maxSystemMem': int(ar['max_system_mem']),
        'topFree': chunk_size(top) if top else 0,
        'binFree': 0,
        'binChunks': 0,
        'fastFree': 0,
        'fastChunks': 0,
        'largestFree': 0,
    }
    for i in range(10):
        p = int(ar['fastbinsY'][i])
        guard = 0
        while p and guard < 1_000_000:
            s = chunk_size(p)
            report['fastFree'] += s
            report['fastChunks'] += 1
            p = reveal(p + 16, u64(p + 16))
            guard += 1
    bins = ar['bins']
    base = int(bins.address)
    for i in range(1, 128):
        # bin_at(m, i): the fake chunk whose fd/bk are bins[(i-1)*2], bins[(i-1)*2+1]
        header = base + (i - 1) * 2 * 8 - 16
        p = u64(header + 16)
        guard = 0
        while p != header and guard < 1_000_000:
            s = chunk_size(p)
            report['binFree'] += s
            report['binChunks'] += 1
            report['largestFree'] = max(report['largestFree'], s)
            p = u64(p + 16)
            guard += 1
    # Thread arenas live in 64 MB-aligned heaps (heap_info at the start), chained by prev.
    heaps = []
    if ar.address != gdb.parse_and_eval('&main_arena'):
        h = top & ~(64 * 1024 * 1024 - 1)
        guard = 0
        while h and guard < 1000:
            size = u64(h + 16)
            heaps.append({'start': hex(h), 'size': size})
            h = u64(h + 8)
            guard += 1
    report['heaps'] = heaps
    report['free'] = report['topFree'] + report['binFree'] + report['fastFree']
    return report


def main():
    main_arena = gdb.parse_and_eval('main_arena')
    arenas = []
    ar = main_arena
    seen = set()
    while int(ar.address) not in seen:
        seen.add(int(ar.address))
        arenas.append(arena_report(ar))
        ar = ar['next'].dereference()
    threads = []
    for t in inf.threads():
        t.switch()
        try:
            ta = int(gdb.parse_and_eval('(unsigned long)thread_arena'))
        except gdb.error:
            ta = 0
        tc_bytes = 0
        tc_chunks = 0
        try:
            tc = int(gdb.parse_and_eval('(unsigned long)tcache'))
            if tc:
                for i in range(64):
                    n = int.from_bytes(bytes(inf.read_memory(tc + 2 * i, 2)), 'little')
                    tc_chunks += n
                    tc_bytes += n * (i * 16 + 32)
        except gdb.error:
            pass
        sp = int(gdb.parse_and_eval('(unsigned long)$sp'))
        frames = []
        f = gdb.newest_frame()
        while f is not None and len(frames) < 24:
            frames.append(f.name() or '?')
            f = f.older()
        threads.append(
            {'lwp': t.ptid[1], 'name': t.name, 'sp': hex(sp), 'arena': hex(ta), 'tcacheBytes': tc_bytes, 'tcacheChunks': tc_chunks, 'frames': frames}
        )
    mp = gdb.parse_and_eval('mp_')
    out = {
        'arenas': arenas,
        'threads': threads,
        'mmapped': {'count': int(mp['n_mmaps']), 'bytes': int(mp['mmapped_mem']), 'threshold': int(mp['mmap_threshold'])},
    }
    with open(OUT, 'w') as f:  # noqa: F821 (OUT is set by the caller with -ex 'python OUT=…')
        json.dump(out, f, indent=1)


main()
