#!/usr/bin/env python3
"""The coroutine frames a run made (issue 16, goal 3): how many of each coroutine, how large, and how many
over the 1,020 octets that Asio 1.22 recycles (larger frames go to the allocator and back every time).

A frame's size is GCC's: the DWARF byte_size of the `<mangled coroutine>.Frame` type it emits (readelf).
How many were made comes from a callgrind profile of the same binary: Asio destroys each frame once through
the coroutine's `[clone .destroy]` function, so the calls to it count the frames (the ramp function that
creates a frame is often inlined into its caller and cannot be counted).

  bench/bulk/coroutine_frames.py BINARY PROFILE.callgrind [--top N]

e.g. with the profile bench/bulk/instructions leaves in $DKIMDOCTOR_LAB/bench-instructions/<n>.callgrind:
  bench/bulk/coroutine_frames.py build/cli/dkimdoctor "$DKIMDOCTOR_LAB/bench-instructions/1.callgrind"
"""
import argparse
import collections
import re
import subprocess
import sys

RECYCLED = 1020  # asio::detail::thread_info_base: at most 255 chunks of 4 octets are cached for reuse


def frame_sizes(binary):
    """{mangled coroutine name: frame octets} from the binary's debug information."""
    out = subprocess.run(['readelf', '--debug-dump=info', binary], capture_output=True, text=True,
                         errors='replace').stdout
    sizes, in_struct, name, size = {}, False, None, None
    for line in out.split('\n'):
        if 'DW_TAG_' in line:
            if in_struct and name and size is not None:
                sizes[name] = size
            in_struct, name, size = 'DW_TAG_structure_type' in line, None, None
        elif in_struct and 'DW_AT_name' in line and line.rstrip().endswith('.Frame'):
            name = line.rsplit(': ', 1)[1].strip()[:-len('.Frame')]
        elif in_struct and 'DW_AT_byte_size' in line:
            size = int(line.split()[-1], 0)
    return sizes


def frames_made(profile):
    """{mangled coroutine name: frames destroyed} from the calls into each `[clone .destroy]`."""
    names, calls, callee = {}, collections.Counter(), None
    with open(profile, errors='replace') as f:
        for line in f:
            m = re.match(r'(c?fn)=\((\d+)\)(?: (.*))?', line)
            if m:
                kind, ident, name = m.groups()
                if name:
                    names[ident] = name.strip()
                if kind == 'cfn':
                    callee = ident
            elif line.startswith('calls=') and callee:
                calls[callee] += int(line.split('=')[1].split()[0])
    made = collections.Counter()
    for ident, n in calls.items():
        name = names.get(ident, '')
        m = re.search(r'(_Z\w+)\.Frame\*\) \[clone \.destroy\]$', name)
        if m:
            made[m.group(1)] += n
    return made


def readable(mangled):
    """The coroutine's name without its parameters: `resolver::Transport::exchange`."""
    text = subprocess.run(['c++filt', '-p', mangled], capture_output=True, text=True).stdout.strip() or mangled
    return re.sub(r'^dkimdoctor::', '', text)[:100]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('binary')
    ap.add_argument('profile')
    ap.add_argument('--top', type=int, default=20)
    args = ap.parse_args()
    sizes, made = frame_sizes(args.binary), frames_made(args.profile)
    rows = sorted(((made[m] * s, made[m], s, m) for m, s in sizes.items() if made[m]), reverse=True)
    if not rows:
        sys.exit('coroutine_frames: no frame of this binary in the profile (same binary? built with -g?)')
    print(f"frames {sum(r[1] for r in rows):,}, octets {sum(r[0] for r in rows):,}, "
          f"over {RECYCLED} octets (never recycled): {sum(r[1] for r in rows if r[2] > RECYCLED):,}")
    print(f"{'frames':>8} {'octets':>7} {'total':>12}  coroutine")
    for total, n, size, mangled in rows[:args.top]:
        print(f"{n:8,} {size:7,} {total:12,}  {readable(mangled)}")


if __name__ == '__main__':
    main()
