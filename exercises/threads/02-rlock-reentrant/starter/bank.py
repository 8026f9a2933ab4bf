# 任务：Account 的 deposit 和 transfer_in 都要持有 self.lock，而 transfer_in 在持有锁时
#   调用 deposit：用 threading.Lock 时同一个线程第二次 acquire 会永远等下去。
#   改用可重入锁，让下面的程序结束并打印正确的余额：
#     python3 bank.py A1 A2 ...  每个金额一个线程调用 transfer_in(Ai)，
#     全部 join 后打印 "balance <总和>"。
#   多个线程同时调用 deposit 也必须正确；调用结束后锁必须被释放（别的线程能拿到）。
# Task: Account.deposit and Account.transfer_in both hold self.lock, and
#   transfer_in calls deposit while holding it: with threading.Lock the same
#   thread's second acquire waits forever. Use a re-entrant lock so that the
#   program below ends and prints the right balance:
#     python3 bank.py A1 A2 ...  one thread per amount calls transfer_in(Ai);
#     after joining them all, print "balance <sum>".
#   Many threads calling deposit at once must stay correct too, and once a
#   call returns the lock must be free (another thread can take it).
import sys
import threading


class Account:
    def __init__(self):
        self.balance = 0
        self.lock = threading.Lock()

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
