# Solution: threads/02-rlock-reentrant.
import sys
import threading


class Account:
    def __init__(self):
        self.balance = 0
        self.lock = threading.RLock()   # counts acquires per owner

    def deposit(self, n):
        with self.lock:
            self.balance += n

    def transfer_in(self, n):
        with self.lock:               # the first acquire
            self.deposit(n)           # the second, by the same thread


if __name__ == '__main__':
    acct = Account()
    threads = [threading.Thread(target=acct.transfer_in, args=(int(a),)) for a in sys.argv[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print('balance %d' % acct.balance)
