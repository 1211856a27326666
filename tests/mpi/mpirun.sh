#!/bin/sh
# Runs PROGRAM as an MPI job of N ranks on this machine, as the tests and make bench do:
# oversubscribed (N may exceed the cores), unbound, allowed as root, Open MPI's ob1 message
# layer chosen at once (it skips probing the others: 0.2 s less start-up).
# Usage: tests/mpi/mpirun.sh N PROGRAM [ARGS...]
[ $# -ge 2 ] || { echo "usage: $0 N PROGRAM [ARGS...]" >&2; exit 2; }
n=$1
shift
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
exec mpirun -n "$n" --oversubscribe --bind-to none --mca pml ob1 "$@"
