# Every chunk of glibc's main arena (the brk heap), read from a live process by gdb (P11
# investigation): sizes of chunks in use and free, and what the free ones still contain.
#
#   gdb -p <pid> -batch -nx -ex 'python OUT="/tmp/chunks.json"' -x bench/tools/malloc-chunks.py
#
# A freed chunk keeps its old bytes except the list pointers at its start, so sampling them says
# what the memory was used for (16 KB 'xxx…' texts, JSON bodies, SQLite pages, TLS records…).
import gdb
import json

inf = gdb.selected_inferior()


def read(addr, n):
    return bytes(inf.read_memory(addr, n))


def u64(addr):
    return int.from_bytes(read(addr, 8), 'little')


def kind(sample):
    if not sample:
        return 'empty'
    counts = {}
    for b in sample:
        counts[b] = counts.get(b, 0) + 1
    top, n = max(counts.items(), key=lambda kv: kv[1])
    if n > len(sample) * 0.9:
        return 'all 0x%02x' % top
    printable = sum(1 for b in sample if 32 <= b < 127 or b in (9, 10, 13))
    if printable > len(sample) * 0.9:
        s = sample.decode('latin-1')
        return 'text ' + repr(s[:24])
    return 'binary'


def main():
    ar = gdb.parse_and_eval('main_arena')
    start = int(gdb.parse_and_eval('(unsigned long)mp_.sbrk_base'))
    top = int(ar['top'])
    free_set = set()
    # free chunks in bins and fastbins
    base = int(ar['bins'].address)
    for i in range(1, 128):
        header = base + (i - 1) * 2 * 8 - 16
        p = u64(header + 16)
        while p != header:
            free_set.add(p)
            p = u64(p + 16)
    for i in range(10):
        p = int(ar['fastbinsY'][i])
        while p:
            free_set.add(p)
            p = ((p + 16) >> 12) ^ u64(p + 16)
    chunks = []
    p = start
    while p < top:
        size = u64(p + 8) & ~0x7
        if size == 0:
            break
        is_free = p in free_set
        sample = read(p + 48, min(256, max(0, size - 56))) if size > 56 else b''
        chunks.append({'addr': p, 'size': size, 'free': is_free, 'kind': kind(sample)})
        p += size
    hist = {}
    for c in chunks:
        k = ('free' if c['free'] else 'used', c['size'] if c['size'] < 4096 else (c['size'] // 4096) * 4096, c['kind'] if c['size'] >= 4096 else '')
        e = hist.setdefault(k, [0, 0])
        e[0] += 1
        e[1] += c['size']
    rows = sorted(([k[0], k[1], k[2], v[0], v[1]] for k, v in hist.items()), key=lambda r: -r[4])
    # the highest chunks in use: they pin the heap's top
    high = [c for c in chunks if not c['free']][-10:]
    with open(OUT, 'w') as f:  # noqa: F821 (set by the caller)
        json.dump({'start': start, 'top': top, 'topSize': u64(top + 8) & ~7, 'rows': rows, 'highestUsed': high}, f, indent=1)


main()
