#!/usr/bin/env bash
# Starts a single-node SLURM cluster on this machine (munged, slurmctld, slurmd; no systemd needed), for the
# module's SLURM tests. Needs root and Debian's munge, slurmctld, slurmd and slurm-client. Writes
# /etc/slurm/slurm.conf from slurm.conf.in each time; daemons already running are left running (restart them to
# read a changed configuration). Prints the sinfo line of the node once it accepts jobs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state=/var/lib/clinicadl-slurm
host="$(hostname -s)"
cpus="$(nproc)"
# Leave the system a GiB: slurmd refuses a node that reports less memory than RealMemory.
memory=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) - 1024 ))

mkdir -p "$state/ctld" "$state/d" /etc/slurm /run/munge
sed -e "s|@HOST@|$host|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEMORY@|$memory|g" -e "s|@STATE@|$state|g" \
    "$here/slurm.conf.in" > /etc/slurm/slurm.conf

if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key /run/munge && chmod 400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
fi
if ! pgrep -x slurmctld >/dev/null; then
    /usr/sbin/slurmctld
fi
if ! pgrep -x slurmd >/dev/null; then
    /usr/sbin/slurmd
fi
for _ in $(seq 1 60); do
    if sinfo -h -o '%n %t' 2>/dev/null | grep -qE ' (idle|mix|alloc)'; then
        sinfo -h -o '%P %n %t %c CPUs %m MB'
        exit 0
    fi
    sleep 1
done
echo "The SLURM node did not come up; see $state/slurmctld.log and $state/slurmd.log" >&2
exit 1
