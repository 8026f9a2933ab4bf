# Solution: pickle/03-round-trip.
import pickle
import sys

FILE = 'scores.pkl'


def load():
    try:
        with open(FILE, 'rb') as f:
            return pickle.load(f)
    except FileNotFoundError:
        return {}


if sys.argv[1] == 'add':
    scores = load()
    scores.setdefault(sys.argv[2], []).append(int(sys.argv[3]))
    with open(FILE, 'wb') as f:
        pickle.dump(scores, f)
elif sys.argv[1] == 'show':
    scores = load()
    for name in sorted(scores):
        print('%s: %s' % (name, ' '.join(str(s) for s in scores[name])))
