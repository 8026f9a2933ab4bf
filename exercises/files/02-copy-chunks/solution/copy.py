# Solution: files/02-copy-chunks.
import sys

CHUNK = 64 * 1024


def copy(src, dst):
    with open(src, 'rb') as fin, open(dst, 'wb') as fout:
        while True:
            chunk = fin.read1(CHUNK)      # whatever is there, up to 64 KiB
            if not chunk:
                break
            fout.write(chunk)
            fout.flush()


def main():
    if len(sys.argv) != 3:
        print('usage: copy.py SRC DST', file=sys.stderr)
        return 2
    try:
        copy(sys.argv[1], sys.argv[2])
    except OSError as e:
        print('copy.py: %s' % e, file=sys.stderr)
        return 1
    return 0


sys.exit(main())
