"""A foreign Modbus TCP server (pymodbus, Debian's python3-pymodbus) for interop tests.

Usage: python3 pymodbus_server.py <port>
Holding registers (zero-based): 0 = 1234 (uint16); 1..2 = 100000 (uint32, high word first);
3..4 = 3.14159 (float32, high word first); 5..6 = 100000 (uint32, low word first);
7 = -200 (int16). Coils: 0 = on, 1 = off.
"""
import asyncio
import logging
import struct
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


def words(fmt, value):
    raw = struct.pack(">" + fmt, value)
    return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]


def main():
    port = int(sys.argv[1])
    holding = [1234] + words("I", 100000) + words("f", 3.14159) + list(reversed(words("I", 100000))) + words("h", -200)
    store = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, holding + [0] * 10),
        co=ModbusSequentialDataBlock(0, [True, False] + [False] * 14),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves={1: store}, single=False)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(StartAsyncTcpServer(context=context, address=("127.0.0.1", port)))


if __name__ == "__main__":
    main()
