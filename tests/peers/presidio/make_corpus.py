#!/usr/bin/env python3
"""Generate the labelled PII benchmark corpus (deterministic: fixed seeds).

Writes, next to this script:
  corpus.jsonl   one record per line: {"id", "text", "spans": [{"start","end","entity"}]}
                 offsets are Unicode code points (= Rust chars), end exclusive.
  customers.csv  a small structured table (for column classification and the CLI demo).

Every positive is valid by construction (Luhn / mod-97 / libphonenumber-valid /
SSN rules / real calendar dates) and labelled with its exact span. Tricky
negatives (order numbers, dates without birth context, versions, UUIDs, hashes,
invalid-Luhn and invalid-IBAN lookalikes, phone-like product codes, ISBNs) carry
no span. Run with the venv made by run.sh (needs Faker and phonenumbers).
"""
import base64
import csv
import json
import os
import random
import string
import zlib

import phonenumbers
from faker import Faker

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261123)
fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "en_IN"])
Faker.seed(20261123)

ALNUM = string.ascii_letters + string.digits
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def rand(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def base62_6(n):
    out = []
    for _ in range(6):
        out.append(B62[n % 62])
        n //= 62
    return "".join(reversed(out))


# ---------------------------------------------------------------- positives
def email():
    e = fake.unique.email()
    return e.upper() if rng.random() < 0.1 else e


PHONE_REGIONS = ["US", "GB", "DE", "FR", "IN"]
NATIONAL_LENGTHS = {"US": 10, "GB": 10, "DE": 10, "FR": 9, "IN": 10}
PREFIX = {"US": "", "GB": "0", "DE": "0", "FR": "0", "IN": "0"}


def phone():
    region = rng.choice(PHONE_REGIONS)
    while True:
        nsn = rand(string.digits, NATIONAL_LENGTHS[region])
        if nsn[0] == "0":
            continue
        try:
            n = phonenumbers.parse(PREFIX[region] + nsn, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(n):
            break
    fmt = rng.choice(
        [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL,
         phonenumbers.PhoneNumberFormat.E164]
    )
    s = phonenumbers.format_number(n, fmt)
    if region == "US" and fmt == phonenumbers.PhoneNumberFormat.NATIONAL:
        d = nsn
        s = rng.choice([s, f"{d[:3]}-{d[3:6]}-{d[6:]}", f"{d[:3]}.{d[3:6]}.{d[6:]}"])
    return s


def luhn_complete(prefix, length):
    digits = prefix + rand(string.digits, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(digits)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return digits + str((10 - total % 10) % 10)


def card_digits():
    scheme = rng.choice(["visa", "mc", "mc2", "amex", "discover", "jcb", "diners"])
    if scheme == "visa":
        return luhn_complete("4", 16)
    if scheme == "mc":
        return luhn_complete(str(rng.randint(51, 55)), 16)
    if scheme == "mc2":
        return luhn_complete(str(rng.randint(2221, 2720)), 16)
    if scheme == "amex":
        return luhn_complete(rng.choice(["34", "37"]), 15)
    if scheme == "discover":
        return luhn_complete("6011", 16)
    if scheme == "jcb":
        return luhn_complete(str(rng.randint(3528, 3589)), 16)
    return luhn_complete(str(rng.randint(300, 305)), 14)


def group(d, sep):
    if len(d) == 15:
        parts = [d[:4], d[4:10], d[10:]]
    elif len(d) == 14:
        parts = [d[:4], d[4:10], d[10:]]
    else:
        parts = [d[i:i + 4] for i in range(0, len(d), 4)]
    return sep.join(parts)


def card():
    d = card_digits()
    return rng.choice([d, group(d, " "), group(d, "-")])


IBAN_COUNTRIES = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "BE": 16, "CH": 21, "AT": 20, "PL": 28}


def iban_checked(cc, bban):
    rearranged = bban + cc + "00"
    num = "".join(str(int(ch, 36)) for ch in rearranged)
    check = 98 - int(num) % 97
    return f"{cc}{check:02d}{bban}"


def iban_compact():
    cc = rng.choice(list(IBAN_COUNTRIES))
    n = IBAN_COUNTRIES[cc] - 4
    if cc in ("GB", "NL"):
        bban = rand(string.ascii_uppercase, 4) + rand(string.digits, n - 4)
    else:
        bban = rand(string.digits, n)
    return iban_checked(cc, bban)


def iban():
    s = iban_compact()
    if rng.random() < 0.5:
        s = " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def ssn():
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def ip():
    if rng.random() < 0.7:
        return rng.choice([fake.ipv4_public(), fake.ipv4_private()])
    full = fake.ipv6()
    if rng.random() < 0.5:
        import ipaddress
        return str(ipaddress.IPv6Address(full))  # compressed form
    return full


def mac():
    m = fake.mac_address()
    r = rng.random()
    if r < 0.3:
        return m.upper()
    if r < 0.5:
        return m.replace(":", "-")
    return m


def url_credentials():
    scheme = rng.choice(["postgres", "mysql", "https", "redis", "mongodb", "amqp"])
    user = fake.user_name()
    pw = rand(ALNUM, rng.randint(8, 16))
    host = fake.domain_name()
    port = rng.choice(["", f":{rng.randint(1024, 9999)}"])
    path = rng.choice(["", "/", f"/{fake.word()}"])
    return f"{scheme}://{user}:{pw}@{host}{port}{path}"


def aws_access_key():
    return rng.choice(["AKIA", "ASIA"]) + rand(string.ascii_uppercase + "234567", 16)


def aws_secret():
    return rand(ALNUM + "/+", 40)


def github_token():
    body = rand(ALNUM, 30)
    return "ghp_" + body + base62_6(zlib.crc32(body.encode()))


def gitlab_token():
    return "glpat-" + rand(ALNUM + "_-", 20)


def slack_token():
    return f"xoxb-{rand(string.digits, 11)}-{rand(string.digits, 13)}-{rand(ALNUM, 24)}"


def stripe_key():
    return rng.choice(["sk_live_", "rk_live_"]) + rand(ALNUM, rng.randint(24, 34))


def openai_key():
    return "sk-proj-" + rand(ALNUM, 24) + "T3BlbkFJ" + rand(ALNUM, 24)


def private_key():
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", ""])
    lines = [rand(string.ascii_letters + string.digits + "+/", 64) for _ in range(rng.randint(3, 6))]
    return f"-----BEGIN {kind}PRIVATE KEY-----\n" + "\n".join(lines) + f"\n-----END {kind}PRIVATE KEY-----"


def b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def jwt():
    header = {"alg": rng.choice(["HS256", "RS256"]), "typ": "JWT"}
    payload = {"sub": str(rng.randint(1, 10**9)), "name": fake.name(), "iat": rng.randint(1.5e9, 1.8e9)}
    sig = base64.urlsafe_b64encode(os.urandom(0) + bytes(rng.getrandbits(8) for _ in range(32))).decode().rstrip("=")
    return f"{b64url(header)}.{b64url(payload)}.{sig}"


def generic_secret_value():
    return rand(ALNUM, rng.randint(20, 32))


def dob():
    d = fake.date_of_birth(minimum_age=18, maximum_age=90)
    fmt = rng.choice(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d %B %Y", "%B %d, %Y"])
    return d.strftime(fmt).replace(" 0", " ")


# (entity, generator, templates). "{}" marks the value.
POSITIVES = [
    ("EMAIL_ADDRESS", email, ["Contact me at {} please.", "email: {}", "Sent from {}", "cc {} and the team", "reply-to <{}>", "{}", "({}),", "Write to {}; thanks"]),
    ("PHONE_NUMBER", phone, ["Call me on {} after 5pm.", "phone: {}", "mobile {}", "You can reach the office at {}.", "tel. {}", "my number is {}", "{}", "(or {})", "Ring {} or email us"]),
    ("CREDIT_CARD", card, ["card number {} exp 09/27", "Paid with Visa {}.", "cc: {}", "Please charge {} for the order.", "{} was declined", "{}", "number: {}"]),
    ("IBAN_CODE", iban, ["IBAN: {}", "Please transfer to {} by Friday.", "account {} (SEPA)", "bank details {}", "{}"]),
    ("US_SSN", ssn, ["SSN: {}", "social security number {}", "my ssn is {}", "SSN {} on file", "{}"]),
    ("IP_ADDRESS", ip, ["login from {} failed", "client ip {}", "Server {} is down.", "request from {}", "{}", "connect to {} now"]),
    ("MAC_ADDRESS", mac, ["device MAC {}", "hardware address {}", "nic {} registered"]),
    ("URL_CREDENTIALS", url_credentials, ["DATABASE_URL={}", "connect with {} then retry", "the dsn is {}"]),
    ("AWS_ACCESS_KEY", aws_access_key, ["aws_access_key_id = {}", "AWS key {} leaked", "export AWS_ACCESS_KEY_ID={}"]),
    ("AWS_SECRET_KEY", aws_secret, ["aws_secret_access_key = {}", "AWS_SECRET_ACCESS_KEY={}", "\"aws_secret_key\": \"{}\""]),
    ("GITHUB_TOKEN", github_token, ["GITHUB_TOKEN={}", "token {} in the CI log", "git clone https://{}@github.com/org/repo"]),
    ("GITLAB_TOKEN", gitlab_token, ["GITLAB_TOKEN={}", "use {} for the registry"]),
    ("SLACK_TOKEN", slack_token, ["SLACK_BOT_TOKEN={}", "slack token {} rotated"]),
    ("STRIPE_KEY", stripe_key, ["STRIPE_SECRET_KEY={}", "stripe key {} in config"]),
    ("OPENAI_KEY", openai_key, ["OPENAI_API_KEY={}", "key {} was exposed"]),
    ("PRIVATE_KEY", private_key, ["deploy key:\n{}\n", "{}"]),
    ("JWT", jwt, ["Authorization: Bearer {}", "jwt={}", "session token {}"]),
    ("GENERIC_SECRET", generic_secret_value, ["api_key = \"{}\"", "\"client_secret\": \"{}\"", "DB_PASSWORD={}", "auth_token: {}"]),
    ("DATE_OF_BIRTH", dob, ["DOB: {}", "born on {}", "date of birth {}", "birthday: {}", "{} (date of birth)", "patient born {}"]),
]


# ---------------------------------------------------------------- negatives
def bad_luhn_card():
    d = card_digits()
    last = (int(d[-1]) + rng.randint(1, 9)) % 10
    return group(d[:-1] + str(last), rng.choice([" ", "-"])) if rng.random() < 0.5 else d[:-1] + str(last)


def bad_iban():
    s = iban_compact()
    check = (int(s[2:4]) + rng.randint(1, 50)) % 97 + 2
    return s[:2] + f"{check:02d}" + s[4:]


NEGATIVES = [
    lambda: f"Order #{rand(string.digits, rng.randint(8, 12))} has shipped.",
    lambda: f"Invoice {rand(string.digits, 10)} is overdue.",
    lambda: f"Shipped on {fake.date_this_decade().isoformat()} via DHL.",
    lambda: f"Meeting on {fake.date_this_year().strftime('%d/%m/%Y')} at 10:30.",
    lambda: f"Upgraded to version {rng.randint(1, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}.",
    lambda: f"Running v{rng.randint(1, 5)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)} in prod.",
    lambda: f"request id {fake.uuid4()}",
    lambda: f"commit {rand('0123456789abcdef', 40)} fixed it",
    lambda: f"card {bad_luhn_card()} was rejected as invalid",
    lambda: f"IBAN {bad_iban()} failed validation",
    lambda: f"SKU {rand(string.digits, 3)}-{rand(string.digits, 4)}-{rand(string.digits, 2)} is out of stock.",
    lambda: f"Tracking number {rand(string.digits, 12)}.",
    lambda: f"ISBN 978-{rng.randint(0, 9)}-{rand(string.digits, 2)}-{rand(string.digits, 6)}-{rng.randint(0, 9)}",
    lambda: f"Total: ${rng.randint(1, 9999)}.{rand(string.digits, 2)} paid.",
    lambda: f"Uptime {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} today.",
    lambda: f"ticket {rand(string.digits, 7)} closed",
    lambda: f"timestamp {rng.randint(1_600_000_000, 1_800_000_000)}",
    lambda: f"password: {rng.choice(['changeme', '********', '<your-password>', '${DB_PASS}'])}",
    lambda: f"api_key = <your-api-key-here>",
    lambda: f"See https://{fake.domain_name()}/{fake.uri_path()} for details.",
    lambda: f"part no. {rand(string.digits, 4)} {rand(string.digits, 4)} {rand(string.digits, 2)}",
    lambda: f"Room {rng.randint(100, 999)}, floor {rng.randint(1, 30)}.",
    lambda: f"Dial 911 or ext. {rng.randint(1000, 9999)}.",
    lambda: f"Price EUR {rng.randint(1, 9)}.{rand(string.digits, 3)},{rand(string.digits, 2)} incl. VAT",
    lambda: f"located at {rng.uniform(-80, 80):.4f}, {rng.uniform(-170, 170):.4f}",
    lambda: f"release {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 30)}-beta.{rng.randint(1, 9)}",
    lambda: f"zip {rand(string.digits, 5)}, {rng.randint(10, 99)}% done",
    lambda: f"build 10.0.{rng.randint(10000, 22999)}.{rng.randint(1000, 9999)} installed",
    lambda: f"scored {rng.randint(100, 999)}/{rng.randint(1000, 9999)} on {rng.randint(1, 28)}/{rng.randint(1, 12)}",
    lambda: f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} elapsed",
    lambda: fake.sentence(nb_words=12),
    lambda: fake.sentence(nb_words=8),
]


def make_record(i):
    parts, spans = [], []
    pos = 0
    n_clauses = rng.randint(1, 4)
    for _ in range(n_clauses):
        if parts:
            parts.append(" ")
            pos += 1
        if rng.random() < 0.6:
            entity, gen, templates = rng.choice(POSITIVES)
            value = gen()
            template = rng.choice(templates)
            before, after = template.split("{}", 1)
            start = pos + len(before)
            spans.append({"start": start, "end": start + len(value), "entity": entity})
            clause = before + value + after
        else:
            clause = rng.choice(NEGATIVES)()
        parts.append(clause)
        pos += len(clause)
    text = "".join(parts)
    for s in spans:
        assert 0 <= s["start"] < s["end"] <= len(text)
    return {"id": i, "text": text, "spans": spans}


def main():
    records = [make_record(i) for i in range(2000)]
    with open(os.path.join(HERE, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "customers.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "name", "email", "phone", "card_number", "ssn", "age", "zip", "sex", "notes"])
        for i in range(200):
            note = rng.choice([
                "", "prefers email contact", f"call back on {phone()}", f"new card {card()} on file",
                "asked about delivery times", f"alt email {email()}", "VIP customer since 2019",
            ])
            w.writerow([
                1000 + i, fake.name(), email(), phone(), card(), ssn(),
                rng.randint(18, 90), rand(string.digits, 5), rng.choice(["F", "M"]), note,
            ])
    counts = {}
    for r in records:
        for s in r["spans"]:
            counts[s["entity"]] = counts.get(s["entity"], 0) + 1
    print(json.dumps({"records": len(records), "spans": counts}, indent=1))


if __name__ == "__main__":
    main()
