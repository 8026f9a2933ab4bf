# Solution: pickle/02-safe-unpickler.
import pickle
import sys

ALLOWED = {('builtins', 'set'), ('builtins', 'frozenset'), ('builtins', 'complex'),
           ('collections', 'OrderedDict')}


class Refused(Exception):
    pass


class SafeUnpickler(pickle.Unpickler):
    def find_class(self, module, name):   # GLOBAL and STACK_GLOBAL both come here
        if module == '__builtin__':          # protocols 0-2 use Python 2's name
            module = 'builtins'
        if (module, name) in ALLOWED:
            return super().find_class(module, name)
        raise Refused('%s.%s' % (module, name))


def main():
    with open(sys.argv[1], 'rb') as f:
        try:
            obj = SafeUnpickler(f).load()
        except Refused as e:
            print('refused: %s' % e, file=sys.stderr)
            return 1
    print(repr(obj))
    return 0


sys.exit(main())
