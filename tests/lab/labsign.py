"""DNSSEC for the lab: keys, DS records and signed zones, made with Debian's ldns tools (ldnsutils).

`ldns-keygen` makes one key per signed zone (a combined signing key: flags 257, signs every RRset), kept in a
key directory that survives `lab up` (default `$DKIMDOCTOR_LAB/dnssec-keys`): a zone keeps its key across
runs, so only the first `lab up` pays for key generation. DS records (SHA-256) are computed here from the
DNSKEY, `ldns-signzone` signs, and a few scenarios then break what the signer made (see labgen.py DNSSEC).
Used by labgen.py only; the tools run in parallel (one process per zone).
"""
import base64
import glob
import hashlib
import os
import shutil
import struct
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

KEYGEN = "ldns-keygen"
SIGNZONE = "ldns-signzone"
ALGORITHMS = {"RSAMD5": 1, "RSASHA256": 8, "ECDSAP256SHA256": 13}
KEY_BITS = {"RSAMD5": 1024, "RSASHA256": 2048}  # ECDSA keys have their fixed size
# RSA key generation takes up to a second on a loaded machine: zones of these algorithms share one key
# (made once in <keys>/_shared/), as some operators do. ECDSA keys are made per zone (milliseconds).
SHARED = {"RSAMD5", "RSASHA256"}
WORKERS = max(2, os.cpu_count() or 2)


def name_wire(name):
    """A domain name in canonical wire form (lowercase, RFC 4034 §6.2)."""
    out = b""
    for label in name.rstrip(".").lower().split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def nsec3_hash(name, iterations=0, salt=b""):
    """RFC 5155 §5 owner hash, as the base32hex label (lowercase) NSEC3 owner names carry."""
    h = hashlib.sha1(name_wire(name) + salt).digest()
    for _ in range(iterations):
        h = hashlib.sha1(h + salt).digest()
    return base64.b32hexencode(h).decode().lower()


class Key:
    """One key made by ldns-keygen: its base path (K<zone>.+AAA+TTTTT), tag, algorithm and DNSKEY RDATA."""

    def __init__(self, base):
        self.base = base
        stem = os.path.basename(base)
        self.tag = int(stem.rsplit("+", 1)[1])
        self.alg = int(stem.rsplit("+", 2)[1])
        with open(base + ".key") as f:
            fields = f.read().split(";")[0].split()
        i = fields.index("DNSKEY")
        flags, proto, alg = int(fields[i + 1]), int(fields[i + 2]), int(fields[i + 3])
        self.rdata = struct.pack("!HBB", flags, proto, alg) + base64.b64decode("".join(fields[i + 4:]))

    def ds(self, zone):
        """The DS RDATA (digest type 2, SHA-256) for this key at `zone`, in zone-file form."""
        digest = hashlib.sha256(name_wire(zone) + self.rdata).hexdigest()
        return f"{self.tag} {self.alg} 2 {digest}"


def key_dir(keys_root, zone, label):
    return os.path.join(keys_root, (zone.rstrip(".") or "root"), label)


def keygen(d, zone, alg):
    os.makedirs(d, exist_ok=True)
    cmd = [KEYGEN, "-a", alg, "-k"]
    if alg in KEY_BITS:
        cmd += ["-b", str(KEY_BITS[alg])]
    subprocess.run(cmd + [zone if zone == "." else zone + "."], cwd=d, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return sorted(glob.glob(os.path.join(d, "K*.private")))


def copy_shared(keys_root, d, zone, alg):
    """The shared key of `alg` as this zone's key files: the private part has no owner name, the public
    part (.key) gets the zone's."""
    shared = glob.glob(os.path.join(keys_root, "_shared", alg, "K*.private"))[0][: -len(".private")]
    stem = "K" + zone.rstrip(".") + ".+" + os.path.basename(shared).split(".+", 1)[1]
    os.makedirs(d, exist_ok=True)
    shutil.copy(shared + ".private", os.path.join(d, stem + ".private"))
    with open(shared + ".key") as f:
        fields = f.read().split(";")[0].split()
    with open(os.path.join(d, stem + ".key"), "w") as f:
        f.write(f"{zone if zone == '.' else zone + '.'}\tIN\t" + " ".join(fields[fields.index("DNSKEY"):]) + "\n")
    return [os.path.join(d, stem + ".private")]


def ensure_keys(keys_root, wanted):
    """wanted: [(zone, label, algorithm name)]. Returns {(zone, label): Key}, generating the missing ones."""
    for alg in sorted({alg for _, _, alg in wanted} & SHARED):
        d = os.path.join(keys_root, "_shared", alg)
        if not glob.glob(os.path.join(d, "K*.private")):
            keygen(d, "shared.invalid", alg)

    def one(item):
        zone, label, alg = item
        d = key_dir(keys_root, zone, label)
        found = sorted(glob.glob(os.path.join(d, "K*.private")))
        if not found:
            found = copy_shared(keys_root, d, zone, alg) if alg in SHARED else keygen(d, zone, alg)
        key = Key(found[0][: -len(".private")])
        if key.alg != ALGORITHMS[alg]:
            raise SystemExit(f"labsign: {found[0]} is not an {alg} key")
        return (zone, label), key

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(one, wanted))


def stamp(t):
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(t))


class SignJob:
    """Sign `unsigned` (zone file) into `signed` with `keys`, valid from `inception` to `expiration` (epoch
    seconds); NSEC3 (no salt, 0 iterations: RFC 9276) if `nsec3`; then `after(path)` may break the result."""

    def __init__(self, zone, unsigned, signed, keys, inception, expiration, nsec3=False, after=None):
        self.zone, self.unsigned, self.signed, self.keys = zone, unsigned, signed, keys
        self.inception, self.expiration, self.nsec3, self.after = inception, expiration, nsec3, after

    def run(self):
        cmd = [SIGNZONE, "-i", stamp(self.inception), "-e", stamp(self.expiration), "-o",
               self.zone if self.zone == "." else self.zone + ".", "-f", self.signed]
        if self.nsec3:
            cmd += ["-n", "-t", "0"]
        cmd += [self.unsigned] + [k.base for k in self.keys]
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise SystemExit(f"labsign: {' '.join(cmd)}: {p.stderr.strip()}")
        if self.after:
            self.after(self.signed)


def sign_all(jobs):
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(SignJob.run, jobs))


def remove_nsec3(path, owner_name):
    """Deletes the NSEC3 record (and its RRSIG) whose owner is the hash of `owner_name` from a signed zone
    file: the chain then has a hole where that name's proof must come from."""
    label = nsec3_hash(owner_name) + "."
    with open(path) as f:
        lines = f.readlines()
    kept = [ln for ln in lines if not ln.lower().startswith(label)]
    if len(lines) - len(kept) != 2:
        raise SystemExit(f"labsign: {path}: expected an NSEC3 and its RRSIG at {label}, removed {len(lines) - len(kept)}")
    with open(path, "w") as f:
        f.writelines(kept)
