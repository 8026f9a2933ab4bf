#!/usr/bin/env python3
"""make_examples.py — writes the example pickles the README uses, with the
notes' data (my_list = [1, 2, 3, 4]), by CPython's own pickle:

  data.pkl            pickle.dump(my_list, f): this Python's default protocol
  data-protocol3.pkl  protocol 3, the bytes the notes print:
                      b'\\x80\\x03]q\\x00(K\\x01K\\x02K\\x03K\\x04e.'

Run from anywhere: python3 data/examples/make_examples.py
"""
import os
import pickle

here = os.path.dirname(os.path.abspath(__file__))
my_list = [1, 2, 3, 4]
with open(os.path.join(here, 'data.pkl'), 'wb') as f:
    pickle.dump(my_list, f)
with open(os.path.join(here, 'data-protocol3.pkl'), 'wb') as f:
    pickle.dump(my_list, f, protocol=3)
