"""Seeds derived from (run seed, name), so a weight or a sample depends on its
name alone, not on the order anything is drawn in."""


def name_seed(seed: int, name: str) -> int:
    """A 31-bit seed: FNV-1a over the name, mixed with the seed (the same
    function as src/model/params.ts nameSeed)."""
    h = (0x811C9DC5 ^ (seed & 0xFFFFFFFF)) & 0xFFFFFFFF
    for ch in name:
        h ^= ord(ch) & 0xFFFF  # JavaScript's charCodeAt; the names are ASCII
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % 2147483647
