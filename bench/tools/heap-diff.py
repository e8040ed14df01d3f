# What is live in a process's V8 heap after one phase that was not before it (P11 investigation):
# two heap snapshots of the same process (gc-preload.ts writes one after each sample when
# BENCH_HEAPSNAPSHOT_DIR is set); V8 keeps object ids across snapshots, so "new" is exact.
#
#   python3 bench/tools/heap-diff.py /tmp/p11/<pid>-1.heapsnapshot /tmp/p11/<pid>-2.heapsnapshot
#
# Prints the new live objects by type and name, then the largest with a retaining path.
import json, sys, collections
def load(path):
    snap = json.load(open(path))
    meta = snap['snapshot']['meta']; nf = meta['node_fields']; ef = meta['edge_fields']
    return snap, meta, nf, ef
def index(path):
    snap, meta, nf, ef = load(path)
    ntypes = meta['node_types'][0]; etypes = meta['edge_types'][0]
    N=len(nf); E=len(ef); nodes=snap['nodes']; edges=snap['edges']; strings=snap['strings']; n=len(nodes)//N
    iT,iName,iId,iSize,iEc = nf.index('type'),nf.index('name'),nf.index('id'),nf.index('self_size'),nf.index('edge_count')
    eT,eName,eTo = ef.index('type'),ef.index('name_or_index'),ef.index('to_node')
    return dict(ntypes=ntypes, etypes=etypes, N=N, E=E, nodes=nodes, edges=edges, strings=strings, n=n, iT=iT, iName=iName, iId=iId, iSize=iSize, iEc=iEc, eT=eT, eName=eName, eTo=eTo)
a = index(sys.argv[1]); b = index(sys.argv[2])
ids_a = set(a['nodes'][i*a['N']+a['iId']] for i in range(a['n']))
B=b; N=B['N']; nodes=B['nodes']; strings=B['strings']
new = [i for i in range(B['n']) if nodes[i*N+B['iId']] not in ids_a]
by = collections.Counter(); cnt = collections.Counter()
for i in new:
    k = (B['ntypes'][nodes[i*N+B['iT']]], strings[nodes[i*N+B['iName']]][:50].replace('\n',' '))
    by[k] += nodes[i*N+B['iSize']]; cnt[k] += 1
tot = sum(by.values())
print(f'new live objects: {len(new)}, {tot/1e6:.2f} MB')
for k, v in by.most_common(30): print(f'{v/1e3:9.1f} kB {cnt[k]:7} {k[0]:12} {k[1]}')
# retainers of the biggest new objects
fe=[0]*(B['n']+1)
for i in range(B['n']): fe[i+1]=fe[i]+nodes[i*N+B['iEc']]
rev=collections.defaultdict(list); E=B['E']; edges=B['edges']
for i in range(B['n']):
    for e in range(fe[i],fe[i+1]):
        to=edges[e*E+B['eTo']]//N; et=B['etypes'][edges[e*E+B['eT']]]
        if et=='weak': continue
        nm=edges[e*E+B['eName']]; nm=strings[nm] if et not in ('element','hidden') else str(nm)
        rev[to].append((i,et,nm))
print('--- biggest new objects and who holds them')
for i in sorted(new, key=lambda i:-nodes[i*N+B['iSize']])[:15]:
    path=[]; cur=i; seen={i}
    for d in range(7):
        rs=[r for r in rev[cur] if r[0] not in seen]
        if not rs: break
        rs.sort(key=lambda r:(B['ntypes'][nodes[r[0]*N+B['iT']]] in ('hidden','synthetic'), r[1]=='internal'))
        p,et,nm=rs[0]; path.append(f"{strings[nodes[p*N+B['iName']]][:30]}.{nm[:25]}"); seen.add(p); cur=p
    print(nodes[i*N+B['iSize']], B['ntypes'][nodes[i*N+B['iT']]], strings[nodes[i*N+B['iName']]][:40].replace('\n',' '), ' <- ', ' <- '.join(path))
