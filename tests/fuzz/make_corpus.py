#!/usr/bin/env python3
"""Writes the seed corpus of worker_message_fuzz: well-formed worker replies of each kind."""
import hashlib
import pathlib
import struct
import sys

def u8(v): return struct.pack('<B', v)
def u64(v): return struct.pack('<Q', v)
def string(s): return u64(len(s)) + s
def frame(body): return struct.pack('<I', len(body)) + body
def result(task_id, payload): return frame(u8(2) + u64(task_id) + payload)
def record(kind, type_name, what): return u8(kind) + string(type_name) + string(what)

seeds = {
    'string': result(0, string(b'hello')),
    'bytes': result(1, u64(4) + b'\x00\x01\x02\x03'),
    'tuple': result(2, struct.pack('<i', 7) + struct.pack('<d', 2.5) + string(b'x')),
    'nested': result(3, u64(2) + string(b'a') + u8(1) + u64(2) + struct.pack('<ii', 1, 2)
                     + string(b'b') + u8(0)),
    'optional_bools': result(4, u8(1) + u64(3) + b'\x01\x00\x01'),
    'chunk_ok': result(5, u64(2) + struct.pack('<ii', 4, 9) + u8(0)),
    'chunk_error': result(5, u64(1) + struct.pack('<i', 4) + u8(1)
                          + record(3, b'std::runtime_error', b'boom')),
    'error': frame(u8(3) + u64(9) + record(0, b'UserError', b'custom')),
    'init_failed': frame(u8(4) + record(1, b'std::invalid_argument', b'bad config')),
    'two_frames': result(0, string(b'one')) + result(0, string(b'two')),
}
out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent / 'corpus')
out.mkdir(parents=True, exist_ok=True)
for name, data in seeds.items():
    (out / f'{name}-{hashlib.sha1(data).hexdigest()[:12]}').write_bytes(data)
