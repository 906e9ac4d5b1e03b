"""A StandardFirmata stand-in on a pseudo-terminal, so the Firmata backend can be tested over a
real serial path (johnny-five -> firmata.js -> serialport -> tty) without an Arduino.

Prints the pty path on stdout, then serves the host. It answers the start-up handshake
(version, firmware, capabilities, analog mapping), latches digital port writes, answers
PIN_STATE_QUERY, reports inputs when asked to, and has one I2C device at 0x76 (a register file
with 0xD0 = 0x60, like a BME280); any other address gets an empty reply, as StandardFirmata
sends when a device does not acknowledge. Commands on stdin: "in PIN LEVEL" drives an input,
"reset" clears every latched output (the board rebooted), "history PIN" lists every level the
pin has driven as an output (to catch glitches), "quit" exits. Each answers a line "ok ...".

"""
import os
import select
import sys
import time
import tty

NPINS = 20
I2C_PINS = (18, 19)


def main():
    master, slave = os.openpty()
    tty.setraw(slave)
    print(os.ttyname(slave), flush=True)

    latched = [0] * NPINS  # port latch (PORTx bit): driven when OUTPUT, pull-up when INPUT
    driven = [[] for _ in range(NPINS)]  # every level each pin has driven, in order
    inputs = [0] * NPINS  # input levels, by pin
    modes = [0] * NPINS  # every pin is an INPUT after reset
    reporting = set()  # ports with digital reporting on
    regs = {0x76: bytearray(256)}
    regs[0x76][0xD0] = 0x60
    ptr = {0x76: 0}
    buf = bytearray()
    heard = False

    def send(data):
        os.write(master, bytes(data))

    def two7(v):
        return [v & 0x7F, (v >> 7) & 0x7F]

    def set_latch(pin, level):
        if modes[pin] == 1 and latched[pin] != level:
            driven[pin].append(level)
        latched[pin] = level

    def report_port(port):
        v = 0
        for i in range(8):
            p = port * 8 + i
            if p < NPINS and modes[p] in (0, 11) and inputs[p]:
                v |= 1 << i
        send([0x90 | port, v & 0x7F, (v >> 7) & 0x7F])

    def sysex(msg):
        cmd = msg[0]
        if cmd == 0x79:  # query firmware
            send([0xF0, 0x79, 2, 5] + [b for c in "FakeFirmata.ino" for b in two7(ord(c))] + [0xF7])
        elif cmd == 0x6B:  # capabilities
            out = [0xF0, 0x6C]
            for p in range(NPINS):
                if p < 2:
                    pass
                elif p in I2C_PINS:
                    out += [0, 1, 1, 1, 6, 1]
                else:
                    out += [0, 1, 1, 1, 11, 1]
                out.append(0x7F)
            send(out + [0xF7])
        elif cmd == 0x69:  # analog mapping
            send([0xF0, 0x6A] + [0x7F] * NPINS + [0xF7])
        elif cmd == 0x6D:  # pin state query
            pin = msg[1]
            send([0xF0, 0x6E, pin, modes[pin], latched[pin] & 0x7F, 0xF7])
        elif cmd == 0x76:  # I2C request
            addr = msg[1] | ((msg[2] & 0x07) << 7)
            mode = (msg[2] >> 3) & 0x03
            data = [msg[i] | (msg[i + 1] << 7) for i in range(3, len(msg) - 1, 2)]
            dev = regs.get(addr)
            if mode == 0:  # write: register pointer, then data
                if dev is not None and data:
                    ptr[addr] = data[0]
                    for i, b in enumerate(data[1:]):
                        dev[(data[0] + i) & 0xFF] = b
            elif mode == 1:  # read once: [register,] count
                reg, n = (data[0], data[1]) if len(data) == 2 else (None, data[0])
                out = [0xF0, 0x77] + two7(addr) + two7(reg if reg is not None else 0)
                if dev is not None:
                    start = reg if reg is not None else ptr[addr]
                    for i in range(n):
                        out += two7(dev[(start + i) & 0xFF])
                send(out + [0xF7])
        # I2C config, sampling interval, string data: nothing to answer

    stdin_open = True
    while True:
        fds = [master] + ([sys.stdin] if stdin_open else [])
        ready, _, _ = select.select(fds, [], [], 0.1)
        if not heard:
            # After a reset StandardFirmata announces its protocol version and firmware name
            # unasked; repeat until the host speaks (it may open the port after the first one).
            send([0xF9, 2, 5])
            sysex([0x79])
        if sys.stdin in ready:
            line = sys.stdin.readline()
            if not line:
                stdin_open = False
                return
            words = line.split()
            if words[:1] == ["in"]:
                pin, level = int(words[1]), int(words[2])
                inputs[pin] = level
                if pin >> 3 in reporting:
                    report_port(pin >> 3)
            elif words[:1] == ["reset"]:
                latched[:] = [0] * NPINS
                modes[:] = [0] * NPINS
            elif words[:1] == ["history"]:
                print("ok " + ",".join(str(v) for v in driven[int(words[1])]), flush=True)
                continue
            elif words[:1] == ["quit"]:
                return
            print("ok", flush=True)
        if master in ready:
            try:
                chunk = os.read(master, 1024)
            except OSError:
                return
            heard = True
            buf += chunk
            while buf:
                b = buf[0]
                if b == 0xF0:
                    end = buf.find(0xF7)
                    if end < 0:
                        break
                    sysex(buf[1:end + 1])
                    del buf[:end + 1]
                elif b & 0xF0 == 0x90:  # digital port write
                    if len(buf) < 3:
                        break
                    port, v = b & 0x0F, buf[1] | (buf[2] << 7)
                    for i in range(8):
                        p = port * 8 + i
                        # StandardFirmata latches outputs, and a 1 on an INPUT pin as its pull-up.
                        if p < NPINS and (modes[p] == 1 or (modes[p] == 0 and (v >> i) & 1)):
                            set_latch(p, (v >> i) & 1)
                    del buf[:3]
                elif b == 0xF4:  # pin mode
                    if len(buf) < 3:
                        break
                    pin, mode = buf[1], buf[2]
                    modes[pin] = mode
                    if mode == 1:  # an output drives its latch from now on
                        driven[pin].append(latched[pin])
                    del buf[:3]
                elif b == 0xF5:  # set digital pin value
                    if len(buf) < 3:
                        break
                    set_latch(buf[1], buf[2])
                    del buf[:3]
                elif b & 0xF0 == 0xD0:  # report digital port
                    if len(buf) < 2:
                        break
                    port = b & 0x0F
                    if buf[1]:
                        reporting.add(port)
                        report_port(port)
                    else:
                        reporting.discard(port)
                    del buf[:2]
                elif b & 0xF0 == 0xC0:  # report analog
                    if len(buf) < 2:
                        break
                    del buf[:2]
                elif b == 0xF9:  # version request
                    send([0xF9, 2, 5])
                    del buf[:1]
                else:
                    del buf[:1]


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
