// Linux epoll, which Swift's Glibc module does not export (ledger-bench load's client).
#include <sys/epoll.h>
