#!/usr/bin/python3
"""Proxmox VE's `pct`, `ha-manager` and `pvesh create /nodes/<node>/startall|stopall` on Debian's
LXC, for golive's tests: real containers, with Proxmox's option syntax, config files, outputs and
error texts as its documentation gives them. Which command runs is the name it is called by
(symlinks `pct`, `ha-manager`, `pvesh`). State lives under $PVE_ROOT (see README.md beside this
file); node settings in $PVE_ROOT/node.json, written by node.sh.

Python 3 standard library only. Every difference from Proxmox is listed in README.md.
"""

import fcntl
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.environ.get("PVE_ROOT", "")
MiB = 1024 * 1024
# Proxmox's default ID range of unprivileged containers (root:100000:65536 in /etc/subuid, subgid).
IDMAP_BASE, IDMAP_SIZE = 100000, 65536
LXC_PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Fail(Exception):
    """An error Proxmox prints on stderr, then exits with `code`."""

    def __init__(self, message, code=255):
        super().__init__(message)
        self.message = message
        self.code = code


class ParamError(Fail):
    """Proxmox's '400 Parameter verification failed.' with one line per parameter."""

    def __init__(self, errors, usage=""):
        lines = ["400 Parameter verification failed."]
        lines += [f"{k}: {v}" for k, v in errors]
        if usage:
            lines.append(usage)
        super().__init__("\n".join(lines), 255)


# ---------------------------------------------------------------------------------------------
# The node


def node():
    if not ROOT:
        raise Fail("PVE_ROOT is not set: this pct runs only on a node made by node.sh", 1)
    with open(os.path.join(ROOT, "node.json")) as f:
        return json.load(f)


def conf_dir(n):
    return os.path.join(ROOT, "etc", "pve", "nodes", n["node"], "lxc")


def conf_path(n, vmid):
    return os.path.join(conf_dir(n), f"{vmid}.conf")


def lxc_path():
    return os.path.join(ROOT, "var", "lib", "lxc")


def ha_path():
    return os.path.join(ROOT, "etc", "pve", "ha", "resources.cfg")


class Lock:
    """Proxmox's per-guest config lock (flock), 10 s before giving up, as `pct` does."""

    def __init__(self, vmid):
        d = os.path.join(ROOT, "run", "lock", "lxc")
        os.makedirs(d, exist_ok=True)
        self.path = os.path.join(d, f"pve-config-{vmid}.lock")

    def __enter__(self):
        self.f = open(self.path, "a")
        deadline = time.monotonic() + 10
        while True:
            try:
                fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Fail(f"can't lock file '{self.path}' - got timeout")
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.f.close()


class LoopLock:
    """The node's own lock around attaching loop devices (host-side mounts, lxc-start's rootfs):
    LXC picks a free loop device and attaches it without retrying, so two starts at once can pick
    the same one and one fails with EBUSY ("Failed to set loop fd"). Not Proxmox's: a lock of
    this stand-in, whose volumes are raw images where LVM-thin gives block devices."""

    def __enter__(self):
        d = os.path.join(ROOT, "run", "lock", "lxc")
        os.makedirs(d, exist_ok=True)
        self.f = open(os.path.join(d, "golive-loop.lock"), "a")
        fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.f.close()


def load_conf(n, vmid):
    p = conf_path(n, vmid)
    if not os.path.exists(p):
        # Proxmox's text; exit code 2 as its Perl `die` gives after the failed open (ENOENT).
        raise Fail(f"Configuration file 'nodes/{n['node']}/lxc/{vmid}.conf' does not exist", 2)
    conf = {}
    with open(p) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            k, _, v = line.partition(": ")
            conf[k] = v
    return conf


def write_conf(n, vmid, conf):
    os.makedirs(conf_dir(n), exist_ok=True)
    p = conf_path(n, vmid)
    tmp = p + ".tmp"
    with open(tmp, "w") as f:
        for k in sorted(conf):
            f.write(f"{k}: {conf[k]}\n")
    os.replace(tmp, p)


def all_vmids(n):
    d = conf_dir(n)
    if not os.path.isdir(d):
        return []
    return sorted(int(f[:-5]) for f in os.listdir(d) if re.fullmatch(r"\d+\.conf", f))


# ---------------------------------------------------------------------------------------------
# Options: the subset of Proxmox's container schema golive uses, with its checks and texts


def parse_bool(v):
    if re.fullmatch(r"1|on|yes|true", v, re.I):
        return "1"
    if re.fullmatch(r"0|off|no|false", v, re.I):
        return "0"
    raise ValueError(f"type check ('boolean') failed - got '{v}'")


def int_range(lo=None, hi=None):
    def check(v):
        if not re.fullmatch(r"[+-]?\d+", v):
            raise ValueError(f"type check ('integer') failed - got '{v}'")
        if hi is not None and int(v) > hi:
            raise ValueError(f"value must have a maximum value of {hi}")
        if lo is not None and int(v) < lo:
            raise ValueError(f"value must have a minimum value of {lo}")
        return str(int(v))

    return check


DNS_LABEL = r"([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?)"


def dns_name(v):
    if not re.fullmatch(rf"({DNS_LABEL}\.)*{DNS_LABEL}", v):
        raise ValueError("invalid format - value does not look like a valid DNS name")
    if len(v) > 255:
        raise ValueError("value may only be 255 characters long")
    return v


def startup(v):
    parts = {}
    for p in v.split(","):
        if not p.strip():
            continue
        m = re.fullmatch(r"(?:order=)?(\d+)", p)
        if m:
            parts["order"] = m.group(1)
        elif re.fullmatch(r"(up|down)=\d+", p):
            k, _, x = p.partition("=")
            parts[k] = x
        else:
            raise ValueError("invalid format - unable to parse startup options")
    if not parts:
        raise ValueError("invalid format - unable to parse startup options")
    return v


def parse_startup(v):
    out = {}
    for p in (v or "").split(","):
        m = re.fullmatch(r"(?:order=)?(\d+)", p)
        if m:
            out["order"] = int(m.group(1))
        elif "=" in p:
            k, _, x = p.partition("=")
            out[k] = int(x)
    return out


def tag_list(v):
    for t in re.split(r"[;, ]+", v):
        if t and not re.fullmatch(r"[a-z0-9_][a-z0-9_\-+.]*", t, re.I):
            raise ValueError(f"invalid format - invalid tag: '{t}'")
    return ";".join(t for t in re.split(r"[;, ]+", v) if t)


class PropertyString:
    """A comma-separated `key=value` list (net0, features, rootfs) checked as Proxmox does:
    an unknown key, a bad value or a missing required key is a 'format error' naming each."""

    def __init__(self, keys, default_key=None, required=()):
        self.keys = keys
        self.default_key = default_key
        self.required = required

    def parse(self, name, v):
        res, errors = {}, []
        for part in v.split(","):
            if not part.strip():
                continue
            if "=" in part:
                k, _, x = part.partition("=")
                if k in res:
                    raise ValueError(
                        f"invalid format - duplicate key in comma-separated list property: {k}"
                    )
                if k not in self.keys:
                    errors.append(
                        (
                            f"{name}.{k}",
                            "property is not defined in schema and the schema does not allow"
                            " additional properties",
                        )
                    )
                    continue
                res[k] = x
            elif self.default_key and self.default_key not in res:
                res[self.default_key] = part
            else:
                raise ValueError(
                    "invalid format - value without key, but schema does not define a default key"
                )
        for k, x in list(res.items()):
            check = self.keys.get(k)
            if check is None or k not in res:
                continue
            try:
                res[k] = check(x)
            except ValueError as e:
                errors.append((f"{name}.{k}", str(e)))
        for k in self.required:
            if k not in res:
                errors.append((f"{name}.{k}", "property is missing and it is not optional"))
        if errors:
            raise PropertyError(errors)
        return res

    def format(self, res):
        """Proxmox's order: the default key's value bare, then required keys, then the rest."""
        out = [res[self.default_key]] if self.default_key in res else []
        first = [k for k in self.required if k in res and k != self.default_key]
        rest = sorted(k for k in res if k not in first and k != self.default_key)
        return ",".join(out + [f"{k}={res[k]}" for k in first + rest])


class PropertyError(ValueError):
    def __init__(self, errors):
        super().__init__("invalid format - format error")
        self.errors = errors


def anything(v):
    return v


def pattern(rx, what):
    def check(v):
        if not re.fullmatch(rx, v):
            raise ValueError(f"invalid format - value does not look like a valid {what}")
        return v

    return check


def cidr4(v):
    if v in ("dhcp", "manual"):
        return v
    m = re.fullmatch(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d+)", v)
    if not m or any(int(x) > 255 for x in m.groups()[:4]) or not 8 <= int(m.group(5)) <= 32:
        raise ValueError(
            "invalid format - value does not look like a valid ipv4 network configuration"
        )
    return v


def ipv4(v):
    m = re.fullmatch(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})", v)
    if not m or any(int(x) > 255 for x in m.groups()):
        raise ValueError("invalid format - value does not look like a valid IPv4 address")
    return v


NET = PropertyString(
    {
        "name": pattern(r"[a-zA-Z][a-zA-Z0-9_.\-]{0,15}", "network interface name"),
        "bridge": pattern(r"[a-zA-Z][a-zA-Z0-9_.\-]*", "bridge name"),
        "hwaddr": pattern(r"(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", "MAC address"),
        "ip": cidr4,
        "gw": ipv4,
        "mtu": int_range(64, 65535),
        "firewall": parse_bool,
        "link_down": parse_bool,
        "type": pattern(r"veth", "network type"),
        "tag": int_range(1, 4094),
        "rate": anything,
        "ip6": anything,
        "gw6": anything,
    },
    required=("name",),
)
FEATURES = PropertyString(
    {k: parse_bool for k in ("nesting", "keyctl", "fuse", "mknod", "force_rw_sys")}
    | {"mount": anything}
)
ROOTFS = PropertyString(
    {
        "volume": anything,
        "size": pattern(r"\d+(\.\d+)?[KMGT]?", "disk size"),
        "acl": parse_bool,
        "quota": parse_bool,
        "replicate": parse_bool,
        "ro": parse_bool,
        "shared": parse_bool,
        "mountoptions": anything,
    },
    default_key="volume",
    required=("volume",),
)


# Options of `pct create` and `pct set` (name -> check). `unprivileged` and `arch`/`ostype` are
# fixed at create, as in Proxmox.
OPTIONS = {
    "hostname": dns_name,
    "cores": int_range(1, 8192),
    "memory": int_range(16),
    "swap": int_range(0),
    "onboot": parse_bool,
    "startup": startup,
    "unprivileged": parse_bool,
    "features": "features",
    "rootfs": "rootfs",
    "tags": tag_list,
    "description": anything,
    "nameserver": anything,
    "searchdomain": anything,
    "cpulimit": anything,
    "cpuunits": int_range(0, 500000),
    "protection": parse_bool,
    "ostype": pattern(r"debian|ubuntu|centos|fedora|alpine|archlinux|unmanaged", "ostype"),
    "arch": pattern(r"amd64|i386|arm64|armhf", "arch"),
    "start": parse_bool,
    "storage": anything,
    "password": anything,
}
for i in range(10):
    OPTIONS[f"net{i}"] = "net"
BOOLEANS = {k for k, v in OPTIONS.items() if v is parse_bool} | {"force", "purge", "verbose"}

USAGE = {
    "create": "pct create <vmid> <ostemplate> [OPTIONS]",
    "set": "pct set <vmid> [OPTIONS]",
    "start": "pct start <vmid> [OPTIONS]",
    "stop": "pct stop <vmid> [OPTIONS]",
    "shutdown": "pct shutdown <vmid> [OPTIONS]",
    "destroy": "pct destroy <vmid> [OPTIONS]",
    "status": "pct status <vmid> [OPTIONS]",
    "config": "pct config <vmid> [OPTIONS]",
    "exec": "pct exec <vmid> [<extra-args>] [OPTIONS]",
    "push": "pct push <vmid> <file> <destination> [OPTIONS]",
    "pull": "pct pull <vmid> <path> <destination> [OPTIONS]",
    "list": "pct list",
    "resize": "pct resize <vmid> <disk> <size> [OPTIONS]",
}
# The options each command accepts besides the container's own.
COMMAND_OPTIONS = {
    "create": set(OPTIONS),
    "set": set(OPTIONS) | {"delete"},
    "start": {"skiplock"},
    "stop": {"skiplock", "overrule-shutdown"},
    "shutdown": {"timeout", "forceStop"},
    "destroy": {"force", "purge", "destroy-unreferenced-disks"},
    "status": {"verbose"},
    "config": {"current", "snapshot"},
    "push": {"perms", "user", "group"},
    "pull": {"perms", "user", "group"},
    "list": set(),
    "resize": {"digest"},
}


def parse_cli(cmd, args, npos):
    """Splits `args` into positionals and --options as Proxmox's CLI does: a boolean may stand
    without a value; an unknown option or a missing argument is refused with the usage line."""
    usage = USAGE[cmd]
    pos, opts = [], {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-") and len(a) > 1 and not re.fullmatch(r"-\d+", a):
            name = a.lstrip("-")
            if name not in COMMAND_OPTIONS[cmd]:
                raise Fail(f"Unknown option: {name}\n400 unable to parse option\n{usage}")
            if name in BOOLEANS and (i + 1 == len(args) or args[i + 1].startswith("-")):
                opts[name] = "1"
                i += 1
                continue
            if i + 1 == len(args):
                raise Fail(f"Option {name} requires an argument\n400 unable to parse option\n{usage}")
            opts[name] = args[i + 1]
            i += 2
        else:
            pos.append(a)
            i += 1
    if len(pos) < npos:
        raise Fail(f"400 not enough arguments\n{usage}")
    if len(pos) > npos:
        raise Fail(f"400 too many arguments\n{usage}")
    return pos, opts


def check_vmid(v, usage):
    if not re.fullmatch(r"[+-]?\d+", v):
        raise ParamError([("vmid", f"type check ('integer') failed - got '{v}'")], usage)
    if not re.fullmatch(r"[1-9][0-9]{2,8}", v):
        raise ParamError(
            [("vmid", "invalid format - value does not look like a valid VM ID")], usage
        )
    return int(v)


def verify(opts, usage):
    """Checks every container option; all problems are reported together, as Proxmox does."""
    errors, out = [], {}
    for k, v in opts.items():
        check = OPTIONS.get(k)
        if check is None:
            out[k] = v
            continue
        ps = {"net": NET, "features": FEATURES, "rootfs": ROOTFS}.get(check)
        try:
            if ps is not None:
                out[k] = ps.parse(k, v)
            else:
                out[k] = check(v)
        except PropertyError as e:
            errors.append((k, str(e)))
            errors.extend(e.errors)
        except ValueError as e:
            errors.append((k, str(e)))
    if errors:
        raise ParamError(errors, usage)
    return out


# ---------------------------------------------------------------------------------------------
# LXC


def lxc(tool, vmid, *args, check=True, **kw):
    cmd = [tool, "-n", str(vmid), "-P", lxc_path(), *args]
    r = subprocess.run(cmd, **kw)
    if check and r.returncode != 0:
        err = r.stderr.decode() if isinstance(r.stderr, bytes) else (r.stderr or "")
        raise Fail(f"{tool} failed: exit code {r.returncode}\n{err}".rstrip())
    return r


def running(vmid):
    # lxc-info asks the container's monitor over its command socket, which can fail while the
    # monitor serves another client (many containers, many pct calls at once): a failed answer is
    # asked again, briefly, before the container counts as not running.
    for attempt in range(5):
        r = subprocess.run(
            ["lxc-info", "-n", str(vmid), "-P", lxc_path(), "-sH"], capture_output=True, text=True
        )
        state = r.stdout.strip() if r.returncode == 0 else ""
        if state == "RUNNING":
            return True
        if state in ("STOPPED", "ABORTING", "STOPPING") or not os.path.isdir(
            os.path.join(lxc_path(), str(vmid))
        ):
            return False
        time.sleep(0.2 * (attempt + 1))
    return False


def init_pid(vmid):
    r = subprocess.run(
        ["lxc-info", "-n", str(vmid), "-P", lxc_path(), "-pH"], capture_output=True, text=True
    )
    return int(r.stdout.strip()) if r.stdout.strip().isdigit() else None


def storage(n, sid):
    s = n["storages"].get(sid)
    if s is None:
        raise Fail(f"storage '{sid}' does not exist")
    return s


def volume_path(n, volid):
    sid, _, name = volid.partition(":")
    s = storage(n, sid)
    if name.startswith("vztmpl/"):
        return os.path.join(s["path"], "template", "cache", name[len("vztmpl/") :])
    m = re.fullmatch(r"vm-(\d+)-disk-(\d+)", name)
    if not m:
        raise Fail(f"unable to parse volume ID '{volid}'")
    return os.path.join(s["path"], "images", m.group(1), f"{name}.raw")


def size_bytes(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", s)
    mult = {"": 1, "K": 1024, "M": MiB, "G": 1024 * MiB, "T": 1024 * 1024 * MiB}[m.group(2)]
    return int(float(m.group(1)) * mult)


def mapped(conf):
    return conf.get("unprivileged") == "1"


def owner(conf):
    return (IDMAP_BASE, IDMAP_BASE) if mapped(conf) else (0, 0)


class Mounted:
    """The container's root image mounted on the host, for create and pre-start setup."""

    def __init__(self, image):
        self.image = image

    def __enter__(self):
        os.makedirs(os.path.join(ROOT, "run"), exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="rootfs-", dir=os.path.join(ROOT, "run"))
        opts = [] if self.image.startswith("/dev/") else ["-o", "loop"]
        with LoopLock():
            subprocess.run(["mount", *opts, self.image, self.dir], check=True)
        return self.dir

    def __exit__(self, *exc):
        subprocess.run(["umount", self.dir], check=True)
        os.rmdir(self.dir)


def has_cap_sys_resource():
    for line in open("/proc/self/status"):
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) & (1 << 24))
    return False


def grow_offline(image):
    """Grows an unmounted ext4 image to its file's size (a no-op when it fills it already)."""
    out = subprocess.run(["dumpe2fs", "-h", image], capture_output=True, text=True).stdout
    count = re.search(r"^Block count:\s+(\d+)", out, re.M)
    size = re.search(r"^Block size:\s+(\d+)", out, re.M)
    if count and size and int(count.group(1)) * int(size.group(1)) >= os.path.getsize(image):
        return
    subprocess.run(["e2fsck", "-f", "-p", image], capture_output=True)
    r = subprocess.run(["resize2fs", image], capture_output=True, text=True)
    if r.returncode != 0:
        raise Fail(f"resize2fs failed: {r.stderr.strip()}")


def cpus_online():
    return os.cpu_count() or 1


def lxc_config(n, vmid, conf):
    """The LXC config Proxmox generates from the container's (at every start, and live for
    cores/memory/swap): cgroup v1 keys, since this machine mounts v1 controllers."""
    lines = [
        "# generated from nodes/{}/lxc/{}.conf at start".format(n["node"], vmid),
        "lxc.arch = amd64",
        "lxc.include = /usr/share/lxc/config/debian.common.conf",
    ]
    if mapped(conf):
        lines.append("lxc.include = /usr/share/lxc/config/debian.userns.conf")
        lines.append(f"lxc.idmap = u 0 {IDMAP_BASE} {IDMAP_SIZE}")
        lines.append(f"lxc.idmap = g 0 {IDMAP_BASE} {IDMAP_SIZE}")
    features = FEATURES.parse("features", conf.get("features", ""))
    if features.get("nesting") == "1":
        lines.append("lxc.include = /usr/share/lxc/config/nesting.conf")
    if features.get("fuse") == "1":
        lines.append("lxc.mount.entry = /dev/fuse dev/fuse none bind,create=file 0 0")
    # No AppArmor on this kernel: Proxmox's generated profile cannot be loaded.
    lines.append("lxc.apparmor.profile = unconfined")
    lines.append(f"lxc.uts.name = {conf.get('hostname', f'CT{vmid}')}")
    # Not in Proxmox's generated config: the console's output kept beside the config, so a
    # container that stopped on its own can be asked why.
    lines.append(f"lxc.console.logfile = {os.path.join(lxc_path(), str(vmid), 'console.log')}")
    rootfs = ROOTFS.parse("rootfs", conf["rootfs"])
    lines.append(f"lxc.rootfs.path = loop:{volume_path(n, rootfs['volume'])}")
    lines += cgroup_lines(conf)
    for i in range(10):
        net = conf.get(f"net{i}")
        if not net:
            continue
        nd = NET.parse(f"net{i}", net)
        lines += [
            f"lxc.net.{i}.type = veth",
            f"lxc.net.{i}.veth.pair = veth{vmid}i{i}",
            f"lxc.net.{i}.hwaddr = {nd['hwaddr']}",
            f"lxc.net.{i}.name = {nd['name']}",
            f"lxc.net.{i}.link = {nd['bridge']}",
            f"lxc.net.{i}.flags = {'down' if nd.get('link_down') == '1' else 'up'}",
        ]
        if nd.get("mtu"):
            lines.append(f"lxc.net.{i}.mtu = {nd['mtu']}")
    return "\n".join(lines) + "\n"


def cgroup_values(conf):
    memory = int(conf.get("memory", "512")) * MiB
    swap = int(conf.get("swap", "512")) * MiB
    values = [
        ("memory.limit_in_bytes", str(memory)),
        ("memory.memsw.limit_in_bytes", str(memory + swap)),
        ("cpu.shares", conf.get("cpuunits", "1024")),
    ]
    cores = int(conf["cores"]) if "cores" in conf else cpus_online()
    cores = min(cores, cpus_online())
    values.append(("cpuset.cpus", "0" if cores == 1 else f"0-{cores - 1}"))
    return values


def cgroup_lines(conf):
    return [f"lxc.cgroup.{k} = {v}" for k, v in cgroup_values(conf)]


def apply_cgroups_live(vmid, old, new):
    """Hotplug of cores, memory and swap into a running container, as Proxmox applies them.
    cgroup v1 refuses memsw below the memory limit: grow memsw first, shrink it last."""
    values = dict(cgroup_values(new))
    grow = int(values["memory.memsw.limit_in_bytes"]) >= int(
        dict(cgroup_values(old))["memory.memsw.limit_in_bytes"]
    )
    order = (
        ["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"]
        if grow
        else ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
    )
    for k in order + ["cpu.shares", "cpuset.cpus"]:
        lxc("lxc-cgroup", vmid, k, values[k], capture_output=True)


def write_inside(root, path, text, own, mode=0o644):
    p = os.path.join(root, path.lstrip("/"))
    if os.path.islink(p):
        os.unlink(p)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
    os.chmod(p, mode)
    os.chown(p, *own)


def etc_hosts(root, entries):
    """/etc/hosts as Proxmox leaves it: its own entries between `# --- BEGIN PVE ---` and
    `# --- END PVE ---`, replaced at each start; every other line kept as it was (a localhost
    line added when the file has none)."""
    p = os.path.join(root, "etc/hosts")
    lines, inside = [], False
    if os.path.isfile(p) and not os.path.islink(p):
        with open(p) as f:
            for line in f.read().splitlines():
                if line == "# --- BEGIN PVE ---":
                    inside = True
                elif line == "# --- END PVE ---":
                    inside = False
                elif not inside:
                    lines.append(line)
    if not any(line.split()[:1] == ["127.0.0.1"] for line in lines):
        lines.insert(0, "127.0.0.1 localhost.localdomain localhost")
    return "\n".join(lines + ["# --- BEGIN PVE ---", *entries, "# --- END PVE ---"]) + "\n"


def setup_inside(n, vmid, conf, root):
    """What Proxmox writes into a Debian container before each start: hostname, hosts,
    /etc/network/interfaces from the netN options, resolv.conf when a nameserver is known."""
    own = owner(conf)
    hostname = conf.get("hostname", f"CT{vmid}")
    write_inside(root, "/etc/hostname", hostname + "\n", own)
    hosts = [f"127.0.1.1 {hostname}"]
    ifaces = ["auto lo", "iface lo inet loopback", ""]
    for i in range(10):
        net = conf.get(f"net{i}")
        if not net:
            continue
        nd = NET.parse(f"net{i}", net)
        ip = nd.get("ip", "manual")
        ifaces.append(f"auto {nd['name']}")
        if ip in ("dhcp", "manual"):
            ifaces.append(f"iface {nd['name']} inet {ip}")
        else:
            ifaces += [f"iface {nd['name']} inet static", f"\taddress {ip}"]
            if nd.get("gw"):
                ifaces.append(f"\tgateway {nd['gw']}")
            if i == 0:
                hosts[0] = f"{ip.split('/')[0]} {hostname}"
        ifaces.append("")
    write_inside(root, "/etc/hosts", etc_hosts(root, hosts), own)
    write_inside(root, "/etc/network/interfaces", "\n".join(ifaces), own)
    nameserver = conf.get("nameserver") or n.get("nameserver")
    if nameserver:
        search = conf.get("searchdomain") or n.get("searchdomain")
        text = "".join(f"nameserver {ns}\n" for ns in nameserver.split())
        write_inside(root, "/etc/resolv.conf", (f"search {search}\n" if search else "") + text, own)
    # The node's way to Debian's mirror (see README.md): apt goes through the host's proxy.
    if n.get("aptProxy"):
        write_inside(
            root,
            "/etc/apt/apt.conf.d/00pve-node-proxy",
            f'Acquire::http::Proxy "{n["aptProxy"]}";\n',
            own,
        )


def bridges_exist(conf):
    for i in range(10):
        net = conf.get(f"net{i}")
        if not net:
            continue
        bridge = NET.parse(f"net{i}", net).get("bridge")
        if bridge and not os.path.isdir(f"/sys/class/net/{bridge}/bridge"):
            raise Fail(f"bridge '{bridge}' does not exist")


def clean_cgroups(vmid):
    """LXC leaves its payload/monitor cgroups behind when a start fails: remove them."""
    for ctrl in os.listdir("/sys/fs/cgroup"):
        for name in (f"lxc.payload.{vmid}", f"lxc.monitor.{vmid}"):
            p = os.path.join("/sys/fs/cgroup", ctrl, name)
            if os.path.isdir(p):
                for sub, dirs, _ in sorted(os.walk(p, topdown=False)):
                    try:
                        os.rmdir(sub)
                    except OSError:
                        pass


def start_ct(n, vmid, conf):
    bridges_exist(conf)
    rootfs = ROOTFS.parse("rootfs", conf["rootfs"])
    image = volume_path(n, rootfs["volume"])
    grow_offline(image)
    with Mounted(image) as root:
        setup_inside(n, vmid, conf, root)
    d = os.path.join(lxc_path(), str(vmid))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config"), "w") as f:
        f.write(lxc_config(n, vmid, conf))
    log = os.path.join(d, "start.log")
    # A loop device taken by another process on the machine between LXC's pick and its attach
    # fails the start with EBUSY before anything ran: tried again, a few times.
    for attempt in range(4):
        if os.path.exists(log):
            os.unlink(log)
        with LoopLock():
            r = lxc(
                "lxc-start", vmid, "-d", "-l", "ERROR", "-o", log, check=False, capture_output=True
            )
        busy = os.path.exists(log) and "Failed to set loop fd" in open(log).read()
        if r.returncode == 0 or not busy:
            break
        clean_cgroups(vmid)
        time.sleep(0.5 * (attempt + 1))
    if r.returncode == 0:
        # As Proxmox's start, which returns once the container runs: the daemonised lxc-start may
        # return while it still starts.
        w = lxc("lxc-wait", vmid, "-s", "RUNNING|STOPPED", "-t", "30", check=False, capture_output=True)
        if w.returncode != 0 or not running(vmid):
            r = w if w.returncode != 0 else subprocess.CompletedProcess([], 1, b"", b"")
    if r.returncode != 0:
        clean_cgroups(vmid)
        detail = open(log).read() if os.path.exists(log) else (r.stderr or b"").decode()
        raise Fail(f"{detail.rstrip()}\nstartup for container '{vmid}' failed")


def stop_ct(vmid, timeout=None):
    if timeout is None:
        lxc("lxc-stop", vmid, "--kill", capture_output=True)
    else:
        lxc("lxc-stop", vmid, "--timeout", str(timeout), capture_output=True)
    lxc("lxc-wait", vmid, "-s", "STOPPED", "-t", "30", capture_output=True)
    clean_cgroups(vmid)


# ---------------------------------------------------------------------------------------------
# pct


def random_mac():
    return "BC:24:11:" + ":".join(f"{random.randrange(256):02X}" for _ in range(3))


def pct_create(n, args):
    (vmid_s, ostemplate), opts = parse_cli("create", args, 2)
    usage = USAGE["create"]
    vmid = check_vmid(vmid_s, usage)
    v = verify(opts, usage)
    with Lock(vmid):
        if os.path.exists(conf_path(n, vmid)):
            raise Fail(f"CT {vmid} already exists on node '{n['node']}'")
        for other in os.listdir(os.path.join(ROOT, "etc", "pve", "nodes")):
            if other != n["node"] and os.path.exists(
                os.path.join(ROOT, "etc", "pve", "nodes", other, "lxc", f"{vmid}.conf")
            ):
                raise Fail(f"CT {vmid} already exists on node '{other}'")
        sid, _, tname = ostemplate.partition(":")
        storage(n, sid)
        tpath = volume_path(n, ostemplate) if tname.startswith("vztmpl/") else ostemplate
        if not os.path.isfile(tpath):
            raise Fail(f"unable to create CT {vmid} - can't find file '{ostemplate}'")
        conf = {}
        for k, x in v.items():
            if k in ("start", "storage", "password"):
                continue
            if isinstance(x, dict):
                continue
            conf[k] = x
        for i in range(10):
            if f"net{i}" in v:
                nd = dict(v[f"net{i}"])
                nd.setdefault("hwaddr", random_mac())
                nd.setdefault("type", "veth")
                conf[f"net{i}"] = NET.format(nd)
        if "features" in v:
            conf["features"] = FEATURES.format(v["features"])
        conf.setdefault("memory", "512")
        conf.setdefault("swap", "512")
        conf.setdefault("hostname", f"CT{vmid}")
        # Unprivileged unless asked otherwise, as Proxmox VE 9 creates; the key is written only
        # for an unprivileged container.
        conf.setdefault("unprivileged", "1")
        if conf["unprivileged"] == "0":
            del conf["unprivileged"]
        # rootfs: STORAGE:SIZE_IN_GiB allocates a new volume; a bare size takes --storage
        # (default 'local'); no rootfs: 4 GiB there.
        default_storage = v.get("storage", "local")
        rf = v.get("rootfs", {"volume": f"{default_storage}:4"})
        if re.fullmatch(r"\d+(\.\d+)?", rf["volume"]):
            rf = {**rf, "volume": f"{default_storage}:{rf['volume']}"}
        m = re.fullmatch(r"([a-zA-Z][\w.\-]*):(\d+(?:\.\d+)?)", rf["volume"])
        if not m:
            raise Fail(f"unable to parse volume ID '{rf['volume']}'")
        sid, gib = m.group(1), float(m.group(2))
        s = storage(n, sid)
        if "rootdir" not in s.get("content", []):
            raise ParamError(
                [("storage", f"storage '{sid}' does not support container directories")]
            )
        if gib <= 0:
            raise Fail(
                f"unable to create CT {vmid} - a size-0 (directory) rootfs is not implemented"
            )
        volid = f"{sid}:vm-{vmid}-disk-0"
        image = volume_path(n, volid)
        size = f"{int(gib)}G" if gib == int(gib) else f"{int(gib * 1024)}M"
        conf["rootfs"] = ROOTFS.format({**{k: x for k, x in rf.items() if k != "volume"},
                                        "volume": volid, "size": size})
        os.makedirs(os.path.dirname(image), exist_ok=True)
        try:
            subprocess.run(["truncate", "-s", str(size_bytes(size)), image], check=True)
            uid, gid = owner(conf)
            subprocess.run(
                ["mkfs.ext4", "-q", "-F", "-E", f"root_owner={uid}:{gid}", image],
                check=True,
                capture_output=True,
            )
            print(f"extracting archive '{tpath}'", flush=True)
            with Mounted(image) as root:
                unpack(tpath, root, conf)
                conf.setdefault("arch", "amd64")
                conf.setdefault("ostype", detect_ostype(root))
            print(f"Detected container architecture: {conf['arch']}", flush=True)
            write_conf(n, vmid, conf)
        except BaseException:
            if os.path.exists(image):
                os.unlink(image)
            shutil.rmtree(os.path.dirname(image), ignore_errors=True)
            raise
    if v.get("start") == "1":
        with Lock(vmid):
            start_ct(n, vmid, load_conf(n, vmid))


def unpack(tpath, root, conf):
    """Unpacks a template as Proxmox does: for an unprivileged container through the ID map, so
    files belong to the mapped users; device nodes are left to LXC."""
    tar = ["tar", "-C", root, "--numeric-owner", "--exclude=./dev/*", "-xpf", "-"]
    if mapped(conf):
        m = f"{IDMAP_BASE}:{IDMAP_SIZE}"
        tar = ["lxc-usernsexec", "-m", f"u:0:{m}", "-m", f"g:0:{m}", "--"] + tar
    real = os.path.realpath(tpath)
    decomp = ["zstd", "-q", "-dc", real] if real.endswith(".zst") else ["gzip", "-dc", real]
    with subprocess.Popen(decomp, stdout=subprocess.PIPE) as d:
        r = subprocess.run(tar, stdin=d.stdout, capture_output=True, text=True)
        d.stdout.close()
    if d.returncode != 0 or r.returncode != 0:
        raise Fail(f"unable to extract '{tpath}'\n{r.stderr}".rstrip())


def detect_ostype(root):
    if os.path.exists(os.path.join(root, "etc", "debian_version")):
        return "debian"
    return "unmanaged"


READ_ONLY_ON_SET = {"unprivileged", "arch", "ostype", "rootfs"}


def pct_set(n, args):
    (vmid_s,), opts = parse_cli("set", args, 1)
    usage = USAGE["set"]
    vmid = check_vmid(vmid_s, usage)
    delete = [k for k in re.split(r"[,; ]+", opts.pop("delete", "")) if k]
    errors = [(k, "unable to modify read-only option") for k in opts if k in READ_ONLY_ON_SET]
    if errors:
        raise ParamError(errors, usage)
    v = verify(opts, usage)
    with Lock(vmid):
        conf = load_conf(n, vmid)
        new = dict(conf)
        for k in delete:
            new.pop(k, None)
        for k, x in v.items():
            if k.startswith("net"):
                nd = dict(x)
                old = NET.parse(k, conf[k]) if k in conf else {}
                nd.setdefault("hwaddr", old.get("hwaddr", random_mac()))
                nd.setdefault("type", "veth")
                new[k] = NET.format(nd)
            elif k == "features":
                new[k] = FEATURES.format(x)
            else:
                new[k] = x
        if running(vmid):
            apply_cgroups_live(vmid, conf, new)
        write_conf(n, vmid, new)


def ha_sids():
    out = {}
    if os.path.exists(ha_path()):
        sid = None
        for line in open(ha_path()):
            m = re.match(r"^(ct|vm): (\d+)$", line.rstrip())
            if m:
                sid = f"{m.group(1)}:{m.group(2)}"
                out[sid] = {}
            elif sid and line.startswith("\t"):
                k, _, x = line.strip().partition(" ")
                out[sid][k] = x
    return out


def write_ha(res):
    os.makedirs(os.path.dirname(ha_path()), exist_ok=True)
    with open(ha_path() + ".tmp", "w") as f:
        for sid in sorted(res, key=lambda s: int(s.split(":")[1])):
            t, _, i = sid.partition(":")
            f.write(f"{t}: {i}\n")
            for k, x in res[sid].items():
                f.write(f"\t{k} {x}\n")
            f.write("\n")
    os.replace(ha_path() + ".tmp", ha_path())


def pct_start(n, args):
    (vmid_s,), _ = parse_cli("start", args, 1)
    vmid = check_vmid(vmid_s, USAGE["start"])
    sid = f"ct:{vmid}"
    conf = load_conf(n, vmid)
    if running(vmid):
        raise Fail(f"CT {vmid} already running")
    res = ha_sids()
    if sid in res:
        # An HA-managed container is started by the HA stack, as in Proxmox.
        print(f"Requesting HA start for CT {vmid}", flush=True)
        res[sid]["state"] = "started"
        write_ha(res)
        lrm_apply(n, vmid, "started")
        return
    with Lock(vmid):
        if running(vmid):
            raise Fail(f"CT {vmid} already running")
        start_ct(n, vmid, conf)


def pct_stop(n, args, shutdown=False):
    (vmid_s,), opts = parse_cli("shutdown" if shutdown else "stop", args, 1)
    vmid = check_vmid(vmid_s, USAGE["stop"])
    sid = f"ct:{vmid}"
    load_conf(n, vmid)
    if not running(vmid):
        raise Fail(f"CT {vmid} not running")
    res = ha_sids()
    if sid in res:
        print(f"Requesting HA stop for CT {vmid}", flush=True)
        res[sid]["state"] = "stopped"
        write_ha(res)
        lrm_apply(n, vmid, "stopped")
        return
    with Lock(vmid):
        if running(vmid):
            stop_ct(vmid, int(opts.get("timeout", "60")) if shutdown else None)


def pct_destroy(n, args):
    (vmid_s,), opts = parse_cli("destroy", args, 1)
    vmid = check_vmid(vmid_s, USAGE["destroy"])
    with Lock(vmid):
        conf = load_conf(n, vmid)
        sid = f"ct:{vmid}"
        res = ha_sids()
        if sid in res and opts.get("purge") != "1":
            raise Fail(
                f"unable to remove CT {vmid} - used in HA resources and purge parameter not set."
            )
        if conf.get("protection") == "1":
            raise Fail(f"can't remove CT {vmid} - protection mode enabled")
        if running(vmid):
            if opts.get("force") != "1":
                raise Fail(f"unable to destroy CT {vmid} - container is running")
            print(f"forced to stop CT {vmid} before destroying!", file=sys.stderr, flush=True)
            stop_ct(vmid)
        rootfs = ROOTFS.parse("rootfs", conf["rootfs"])
        image = volume_path(n, rootfs["volume"])
        if os.path.exists(image):
            os.unlink(image)
        shutil.rmtree(os.path.dirname(image), ignore_errors=True)
        shutil.rmtree(os.path.join(lxc_path(), str(vmid)), ignore_errors=True)
        clean_cgroups(vmid)
        if opts.get("purge") == "1":
            print(f"purging CT {vmid} from related configurations..", flush=True)
            if sid in res:
                del res[sid]
                write_ha(res)
                print(f"NOTE: removed CT {vmid} from HA resource configuration.", flush=True)
        os.unlink(conf_path(n, vmid))


def pct_status(n, args):
    (vmid_s,), _ = parse_cli("status", args, 1)
    vmid = check_vmid(vmid_s, USAGE["status"])
    load_conf(n, vmid)
    print(f"status: {'running' if running(vmid) else 'stopped'}")


def pct_config(n, args):
    (vmid_s,), _ = parse_cli("config", args, 1)
    vmid = check_vmid(vmid_s, USAGE["config"])
    conf = load_conf(n, vmid)
    for k in sorted(conf):
        print(f"{k}: {conf[k]}")


def pct_list(n, args):
    parse_cli("list", args, 0)
    vmids = all_vmids(n)
    if not vmids:
        return  # Proxmox prints nothing, not even the header, for no containers
    fmt = "{:<10} {:<10} {:<12} {:<20}"
    print(fmt.format("VMID", "Status", "Lock", "Name"))
    for vmid in vmids:
        conf = load_conf(n, vmid)
        status = "running" if running(vmid) else "stopped"
        print(fmt.format(vmid, status, conf.get("lock", ""), conf.get("hostname", "")))


def attach(vmid, argv, keep_env=False, **kw):
    """Runs argv inside the container; with a clean environment unless keep_env (README.md)."""
    env = ["--keep-env"] if keep_env else [
        "--clear-env", "--set-var", LXC_PATH_ENV, "--set-var", "HOME=/root"]
    return subprocess.run(
        ["lxc-attach", "-n", str(vmid), "-P", lxc_path(), *env, "--", *argv], **kw
    )


def pct_exec(n, args):
    usage = USAGE["exec"]
    if not args:
        raise Fail(f"400 not enough arguments\n{usage}")
    vmid = check_vmid(args[0], usage)
    rest = args[1:]
    keep_env = False
    while rest and rest[0].lstrip("-") == "keep-env":
        if len(rest) > 1 and rest[1] in ("0", "1"):
            keep_env, rest = rest[1] == "1", rest[2:]
        else:
            keep_env, rest = True, rest[1:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    load_conf(n, vmid)
    if not running(vmid):
        raise Fail(f"container '{vmid}' not running!")
    if not rest:
        raise Fail("missing command")
    return attach(vmid, rest, keep_env=keep_env).returncode


def pct_push(n, args):
    (vmid_s, src, dest), opts = parse_cli("push", args, 3)
    vmid = check_vmid(vmid_s, USAGE["push"])
    with Lock(vmid):
        load_conf(n, vmid)
        if not running(vmid):
            raise Fail("can only push files to a running CT")
        try:
            fh = open(src, "rb")
        except OSError:
            raise Fail(f"failed to open {src} for reading")
        mode = ""
        if "perms" in opts:
            perms = opts["perms"] if opts["perms"].startswith("0") else "0" + opts["perms"]
            try:
                mode = f"{int(perms, 16) if perms.startswith('0x') else int(perms, 8):o}"
            except ValueError:
                raise Fail(f"invalid mode: '{opts['perms']}'")
        # As Proxmox: as the container's root, from its root directory; names are the
        # container's; a new file gets 0666 less the umask, an existing one keeps its mode and
        # owner unless --perms, --user or --group say otherwise.
        script = (
            'cd / || exit 1; '
            'if [ -n "$2" ] && ! expr "$2" : "[0-9][0-9]*$" >/dev/null && '
            '! getent passwd "$2" >/dev/null; then echo "failed to get uid for: $2" >&2; exit 1; fi; '
            'if [ -n "$3" ] && ! expr "$3" : "[0-9][0-9]*$" >/dev/null && '
            '! getent group "$3" >/dev/null; then echo "failed to get gid for: $3" >&2; exit 1; fi; '
            'cat > "$1" || { echo "failed to create file: $1" >&2; exit 1; }; '
            'if [ -n "$4" ]; then chmod "$4" "$1" || exit 1; fi; '
            'if [ -n "$2$3" ]; then chown "$2${3:+:$3}" "$1" || exit 1; fi'
        )
        with fh:
            r = attach(
                vmid,
                ["sh", "-c", script, "sh", dest, opts.get("user", ""), opts.get("group", ""),
                 mode],
                stdin=fh,
                capture_output=True,
                text=True,
            )
    if r.returncode != 0:
        raise Fail(r.stderr.strip())


def pct_pull(n, args):
    (vmid_s, src, dest), _ = parse_cli("pull", args, 3)
    vmid = check_vmid(vmid_s, USAGE["pull"])
    load_conf(n, vmid)
    if not running(vmid):
        raise Fail("can only pull files from a running VM")
    with open(dest, "wb") as out:
        r = attach(vmid, ["cat", src], stdout=out, stderr=subprocess.PIPE, text=False)
    if r.returncode != 0:
        os.unlink(dest)
        raise Fail(f"failed to open {src} for reading")


def pct_resize(n, args):
    (vmid_s, disk, size), _ = parse_cli("resize", args, 3)
    vmid = check_vmid(vmid_s, USAGE["resize"])
    if disk != "rootfs":
        raise ParamError([("disk", f"value '{disk}' does not have a value in the enumeration"
                                   " 'rootfs, mp0, mp1, mp2, mp3, mp4, mp5, mp6, mp7, mp8, mp9'")],
                         USAGE["resize"])
    m = re.fullmatch(r"(\+?)(\d+(?:\.\d+)?[KMGT]?)", size)
    if not m:
        raise ParamError([("size", "value does not match the regex pattern")], USAGE["resize"])
    with Lock(vmid):
        conf = load_conf(n, vmid)
        rf = ROOTFS.parse("rootfs", conf["rootfs"])
        image = volume_path(n, rf["volume"])
        current = os.path.getsize(image)
        want = size_bytes(m.group(2)) + (current if m.group(1) else 0)
        if want < current:
            raise Fail("unable to shrink disk size")
        if want == current:
            return
        subprocess.run(["truncate", "-s", str(want), image], check=True)
        loops = subprocess.run(["losetup", "-j", image, "-O", "NAME", "-n"],
                               capture_output=True, text=True).stdout.split()
        if loops and has_cap_sys_resource():
            # Running: the loop device learns the new size, and ext4 grows online. resize2fs
            # needs the filesystem mounted where it runs: the container's mount lives in the
            # container's namespace, so the same device is mounted here too while it grows.
            subprocess.run(["losetup", "-c", loops[0]], check=True)
            with Mounted(loops[0]):
                r = subprocess.run(["resize2fs", loops[0]], capture_output=True, text=True)
            if r.returncode != 0:
                raise Fail(f"resize2fs failed: {r.stderr.strip()}")
        elif loops:
            # The kernel grows a mounted ext4 only for CAP_SYS_RESOURCE, which this machine's
            # root lacks: the image is grown now, the filesystem at the next start.
            subprocess.run(["losetup", "-c", loops[0]], check=True)
            print(
                "online resize needs CAP_SYS_RESOURCE, which this node lacks: the filesystem "
                "grows at the next start",
                file=sys.stderr,
            )
        else:
            grow_offline(image)
        g = want / (1024 * MiB)
        rf["size"] = f"{int(g)}G" if g == int(g) else f"{want // MiB}M"
        conf["rootfs"] = ROOTFS.format(rf)
        write_conf(n, vmid, conf)


def pct(argv):
    n = node()
    if not argv:
        raise Fail("ERROR: no command specified\n" + "\n".join(f"USAGE: {u}" for u in USAGE.values()))
    cmd, args = argv[0], argv[1:]
    handler = {
        "create": pct_create,
        "set": pct_set,
        "start": pct_start,
        "stop": pct_stop,
        "shutdown": lambda n, a: pct_stop(n, a, shutdown=True),
        "destroy": pct_destroy,
        "status": pct_status,
        "config": pct_config,
        "list": pct_list,
        "exec": pct_exec,
        "push": pct_push,
        "pull": pct_pull,
        "resize": pct_resize,
    }.get(cmd)
    if handler is None:
        raise Fail(f"unknown command 'pct {cmd}'")
    return handler(n, args) or 0


# ---------------------------------------------------------------------------------------------
# ha-manager


HA_STATES = ("started", "stopped", "enabled", "disabled", "ignored")


def parse_sid(s):
    m = re.fullmatch(r"(?:(ct|vm):)?(\d+)", s)
    if not m:
        raise ParamError([("sid", "invalid format - unable to parse service id")],
                         "ha-manager add <sid> [OPTIONS]")
    return f"{m.group(1) or 'ct'}:{m.group(2)}", int(m.group(2))


def ha_opts(args, allowed, usage):
    pos, opts, i = [], {}, 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name = a[2:]
            if name not in allowed:
                raise Fail(f"Unknown option: {name}\n400 unable to parse option\n{usage}")
            if i + 1 == len(args):
                raise Fail(f"Option {name} requires an argument\n400 unable to parse option\n{usage}")
            opts[name] = args[i + 1]
            i += 2
        else:
            pos.append(a)
            i += 1
    if "state" in opts and opts["state"] not in HA_STATES:
        raise ParamError([("state", f"value '{opts['state']}' does not have a value in the"
                                    f" enumeration '{', '.join(HA_STATES)}'")], usage)
    return pos, opts


def lrm_apply(n, vmid, state):
    """The local resource manager's part, done at once: a started service runs, a stopped one
    does not (Proxmox's LRM converges within seconds)."""
    with Lock(vmid):
        conf = load_conf(n, vmid)
        if state in ("started", "enabled") and not running(vmid):
            start_ct(n, vmid, conf)
        elif state in ("stopped", "disabled") and running(vmid):
            stop_ct(vmid, 60)


def ha_manager(argv):
    n = node()
    cmd, args = (argv[0], argv[1:]) if argv else ("", [])
    res = ha_sids()
    if cmd == "add":
        usage = "ha-manager add <sid> [OPTIONS]"
        pos, opts = ha_opts(args, {"state", "group", "max_restart", "max_relocate", "comment"},
                            usage)
        if len(pos) != 1:
            raise Fail(f"400 not enough arguments\n{usage}")
        sid, vmid = parse_sid(pos[0])
        if sid in res:
            raise Fail(f"resource ID '{sid}' already defined")
        if sid.startswith("vm:") or not os.path.exists(conf_path(n, vmid)):
            raise Fail(f"unable to find {sid[:2].upper()} {vmid} on any node")
        res[sid] = {"state": opts.pop("state", "started"), **opts}
        write_ha(res)
        lrm_apply(n, vmid, res[sid]["state"])
    elif cmd in ("remove", "delete"):
        usage = "ha-manager remove <sid>"
        pos, _ = ha_opts(args, set(), usage)
        if len(pos) != 1:
            raise Fail(f"400 not enough arguments\n{usage}")
        sid, _ = parse_sid(pos[0])
        if sid not in res:
            raise Fail(f"cannot delete service '{sid}', not HA managed!")
        del res[sid]
        write_ha(res)
    elif cmd == "set":
        usage = "ha-manager set <sid> [OPTIONS]"
        pos, opts = ha_opts(args, {"state", "group", "max_restart", "max_relocate", "comment"},
                            usage)
        sid, vmid = parse_sid(pos[0])
        if sid not in res:
            raise Fail(f"service '{sid}' is not HA managed")
        res[sid].update(opts)
        write_ha(res)
        lrm_apply(n, vmid, res[sid]["state"])
    elif cmd == "status":
        now = time.strftime("%a %b %d %H:%M:%S %Y")
        print("quorum OK")
        if res:
            print(f"master {n['node']} (active, {now})")
            print(f"lrm {n['node']} (active, {now})")
        for sid in sorted(res, key=lambda s: int(s.split(":")[1])):
            vmid = int(sid.split(":")[1])
            state = res[sid].get("state", "started")
            shown = {"enabled": "started", "disabled": "stopped"}.get(state, state)
            if shown == "started" and not running(vmid):
                shown = "starting"
            print(f"service {sid} ({n['node']}, {shown})")
    elif cmd == "config":
        for sid in sorted(res, key=lambda s: int(s.split(":")[1])):
            print(sid)
            for k, x in res[sid].items():
                print(f"\t{k} {x}")
            print()
    else:
        raise Fail(f"unknown command 'ha-manager {cmd}'")
    return 0


# ---------------------------------------------------------------------------------------------
# pvesh: the node's boot (startall) and shutdown (stopall) of guests, as pve-guests.service runs


def start_order(n, autostart, vms=None):
    """Proxmox's start list: onboot guests (all with --force), HA-managed ones left to HA unless
    --vms names them; by startup order (none: last), then VMID."""
    guests = []
    ha = ha_sids()
    for vmid in all_vmids(n):
        if vms is not None and vmid not in vms:
            continue
        if vms is None and f"ct:{vmid}" in ha:
            continue
        conf = load_conf(n, vmid)
        if autostart and conf.get("onboot") != "1":
            continue
        s = parse_startup(conf.get("startup"))
        guests.append((s.get("order", sys.maxsize), vmid, s))
    return sorted(guests)


def pvesh(argv):
    n = node()
    if len(argv) < 2 or argv[0] != "create":
        raise Fail("pvesh: only 'create /nodes/<node>/startall|stopall' is implemented")
    m = re.fullmatch(r"/?nodes/([^/]+)/(startall|stopall)", argv[1])
    if not m or m.group(1) not in (n["node"], "localhost"):
        raise Fail(f"No '{argv[0]}' handler defined for '{argv[1]}'")
    opts, i, rest = {}, 0, argv[2:]
    while i < len(rest):
        if rest[i] in ("--force", "--vms") and i + 1 < len(rest) and not rest[i + 1].startswith("-"):
            opts[rest[i][2:]] = rest[i + 1]
            i += 2
        elif rest[i] == "--force":
            opts["force"] = "1"
            i += 1
        else:
            raise Fail(f"Unknown option: {rest[i].lstrip('-')}\n400 unable to parse option")
    vms = None
    if "vms" in opts:
        vms = {int(x) for x in re.split(r"[,; ]+", opts["vms"]) if x}
    # The task log goes to stderr, as Proxmox's worker prints it.
    log = sys.stderr
    if m.group(2) == "startall":
        for _, vmid, s in start_order(n, autostart=opts.get("force") != "1", vms=vms):
            with Lock(vmid):
                if running(vmid):
                    continue
                print(f"Starting CT {vmid}", file=log, flush=True)
                try:
                    start_ct(n, vmid, load_conf(n, vmid))
                except Fail as e:
                    print(f"Starting CT {vmid} failed: {e.message}", file=log, flush=True)
                    continue
            if s.get("up"):
                print(f"Waiting for {s['up']} seconds (startup delay)", file=log, flush=True)
                time.sleep(s["up"])
    else:
        for _, vmid, s in reversed(start_order(n, autostart=False, vms=vms)):
            if running(vmid):
                timeout = s.get("down", 60)
                print(f"Stopping CT {vmid} (timeout = {timeout} seconds)", file=log, flush=True)
                with Lock(vmid):
                    stop_ct(vmid, timeout)
    return 0


def main():
    prog = os.path.basename(sys.argv[0])
    try:
        if prog == "ha-manager":
            return ha_manager(sys.argv[1:])
        if prog == "pvesh":
            return pvesh(sys.argv[1:])
        return pct(sys.argv[1:])
    except Fail as e:
        sys.stdout.flush()
        print(e.message, file=sys.stderr)
        return e.code


if __name__ == "__main__":
    sys.exit(main())
