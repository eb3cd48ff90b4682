"""OLE compound files (.xls, and encrypted .xlsx): the structure and the BIFF records walked before
calamine opens them."""

import struct
from array import array
from dataclasses import dataclass, field

from .book import SheetReadError, Workbook, _corrupt, _encrypted, _Limits, _not_spreadsheet, _SheetScan
from .calamine import _load

# ---------------------------------------------------------------------------------------------
# OLE compound files: .xls, and encrypted .xlsx (which Office wraps in OLE)
#
# calamine trusts the compound file's tables: it follows sector chains until their end marker
# (a cycle never ends and keeps allocating), reserves whatever sizes the header and directory
# declare, and reserves rows × columns from each sheet's DIMENSIONS record. Any of these, when
# lying, aborts the process. So the structure is walked here first, the way calamine will walk it,
# and anything that would make it loop or over-allocate is refused as damaged.

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE_SECTOR = 0xFFFFFFFF
_END_OF_CHAIN = 0xFFFFFFFE
_ENCRYPTED_NAMES = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_BIFF8_CELLS = 65536 * 256  # the largest grid an .xls can hold


class _CompoundFile:
    """Just enough of [MS-CFB] to list the streams and read one, refusing what calamine would choke on."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise _corrupt()
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _corrupt()
        self.sector_size = 1 << shift
        self.mini_size = 64
        (dir_sectors, num_fat, dir_start, _transaction, self.mini_cutoff, minifat_start, num_minifat,
         difat_start, num_difat) = struct.unpack_from("<IIIIIIIII", data, 0x28)  # fmt: skip
        self.sector_count = (len(data) - 512 + self.sector_size - 1) // self.sector_size
        if max(dir_sectors, num_fat, num_minifat, num_difat) > self.sector_count:
            raise _corrupt()  # sizes calamine reserves up front
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sector, seen = difat_start, set()
        while sector not in (_FREE_SECTOR, _END_OF_CHAIN):
            if sector >= self.sector_count or sector in seen:
                raise _corrupt()
            seen.add(sector)
            entries = list(struct.unpack(f"<{self.sector_size // 4}I", self._sector(sector)))
            sector = entries.pop()
            difat.extend(entries)
        self.fat = array("I")
        for sector in difat:
            if sector == _FREE_SECTOR:
                continue
            if sector >= self.sector_count:
                raise _corrupt()
            self.fat.frombytes(self._sector(sector).ljust(self.sector_size, b"\xff"))
        self.entries = self._directory(dir_start)
        if not self.entries:
            raise _corrupt()
        root_start, root_size = self.entries[0][2], self.entries[0][3]
        self.ministream = self._chain(root_start, root_size, self.fat, self.sector_size, self._sector)
        self.minifat = array("I")
        self.minifat.frombytes(
            self._chain(minifat_start, None, self.fat, self.sector_size, self._sector)[: len(self.data)]
        )

    def _sector(self, number: int) -> bytes:
        start = (number + 1) * self.sector_size
        return self.data[start : start + self.sector_size]

    def _mini_sector(self, number: int) -> bytes:
        start = number * self.mini_size
        return self.ministream[start : start + self.mini_size]

    def _chain(self, start: int, size: int | None, table, unit: int, read) -> bytes:
        """A whole chain, to its end marker as calamine reads it, refusing cycles and bad links."""
        if size is not None and size > len(self.data):
            raise _corrupt()
        pieces = []
        sector = start
        while sector != _END_OF_CHAIN:
            if sector >= len(table) or len(pieces) >= len(table):
                raise _corrupt()
            pieces.append(read(sector))
            sector = table[sector]
        joined = b"".join(pieces)
        return joined if size is None else joined[:size]

    def _directory(self, start: int) -> list[tuple[str, int, int, int]]:
        raw = self._chain(start, None, self.fat, self.sector_size, self._sector)
        entries = []
        for offset in range(0, len(raw) - 127, 128):
            # The name as calamine reads it: all 64 bytes, cut at the first NUL.
            name = raw[offset : offset + 64].decode("utf-16-le", "ignore").split("\x00", 1)[0]
            kind = raw[offset + 0x42]
            start_sector = struct.unpack_from("<I", raw, offset + 0x74)[0]
            size_format = "<I" if self.sector_size == 512 else "<Q"
            size = struct.unpack_from(size_format, raw, offset + 0x78)[0]
            entries.append((name, kind, start_sector, size))
        return entries

    def names(self) -> list[str]:
        return [name for name, kind, _start, _size in self.entries if kind in (1, 2)]

    def stream(self, wanted: str) -> bytes | None:
        """The first entry with exactly this name, as calamine picks it."""
        for name, _kind, start, size in self.entries:
            if name == wanted:
                if size < 4096:  # calamine's cutoff, whatever the header says
                    return self._chain(start, size, self.minifat, self.mini_size, self._mini_sector)
                return self._chain(start, size, self.fat, self.sector_size, self._sector)
        return None


def _read_ole(data: bytes, limits: _Limits, sheet: str | None) -> Workbook:
    try:
        compound = _CompoundFile(data)
        names = {name.lower() for name in compound.names()}
        stream = compound.stream("Workbook")
        if stream is None:
            stream = compound.stream("Book")
    except SheetReadError:
        if any(name in data for name in _ENCRYPTED_NAMES):
            raise _encrypted() from None
        raise
    except (struct.error, IndexError, ValueError) as exc:
        raise _corrupt() from exc
    if "encryptedpackage" in names or "encryptioninfo" in names:
        raise _encrypted()
    if stream is None:
        raise _not_spreadsheet()
    try:
        biff = _scan_biff(stream)
    except (struct.error, IndexError) as exc:
        raise _corrupt() from exc
    if biff.encrypted:
        raise _encrypted()
    return _load(data, "xls", limits, sheet, biff.scans, epoch_1904=biff.epoch_1904)


@dataclass
class _BiffScan:
    encrypted: bool = False
    epoch_1904: bool = False
    scans: dict[str, _SheetScan] = field(default_factory=dict)


# BIFF5/8 records that put a value in a cell; each starts with (row, col).
_BIFF_CELLS = frozenset({0x0006, 0x00FD, 0x0203, 0x0204, 0x027E, 0x0205, 0x00D6, 0x0406})
_BIFF_MULRK = 0x00BD
_BIFF_BOF = 0x0809
_BIFF_BOUNDSHEET = 0x0085
_BIFF_FILEPASS = 0x002F
_BIFF_DATEMODE = 0x0022
_BIFF_SST = 0x00FC
_BIFF_DIMENSIONS = 0x0200
_BIFF_EOF = 0x000A
_RECORD = struct.Struct("<HH")
_RECORD_AND_CELL = struct.Struct("<HHHH")  # type, length, then (row, col) for cell records


def _records(stream: bytes, pos: int):
    """(position, type, length) of the records from ``pos`` to the first EOF, as calamine reads them."""
    read = _RECORD.unpack_from
    end = len(stream)
    while pos + 4 <= end:
        kind, length = read(stream, pos)
        if pos + 4 + length > end:
            raise _corrupt()
        yield pos, kind, length
        if kind == _BIFF_EOF:
            return
        pos += 4 + length


def _scan_biff(stream: bytes) -> _BiffScan:
    """Encryption, date system and each sheet's extent, walking the records the way calamine does:
    the globals from the start to their EOF, then each sheet from its BOUNDSHEET offset to its EOF."""
    result = _BiffScan()
    sheets: list[tuple[int, str]] = []
    biff8 = True
    for pos, kind, length in _records(stream, 0):
        if kind == _BIFF_BOF and length >= 2:
            biff8 = struct.unpack_from("<H", stream, pos + 4)[0] in (0x0600, 0)
        elif kind == _BIFF_BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", stream, pos + 4)[0]
            sheets.append((offset, _boundsheet_name(stream[pos + 4 : pos + 4 + length], biff8)))
        elif kind == _BIFF_FILEPASS:
            result.encrypted = True
        elif kind == _BIFF_DATEMODE and length >= 2:
            result.epoch_1904 = struct.unpack_from("<H", stream, pos + 4)[0] == 1
        elif kind == _BIFF_SST and length >= 8:
            unique = struct.unpack_from("<i", stream, pos + 8)[0]
            if not 0 <= unique <= len(stream) // 3:  # calamine reserves a string per count up front
                raise _corrupt()
    budget = 2 * len(stream) + 1024  # sheets are disjoint in a real file; overlapping walks are an attack
    padded = stream + b"\x00\x00\x00\x00"  # so an 8-byte unpack at the last record stays inside
    for offset, name in sheets:
        if offset > len(stream):
            raise _corrupt()
        rows, cols, walked = _sheet_extent(padded, offset, len(stream))
        budget -= walked
        if budget < 0:
            raise _corrupt()
        previous = result.scans.get(name)
        if previous:
            rows, cols = max(rows, previous.rows), max(cols, previous.cols)
        result.scans[name] = _SheetScan(rows=rows, cols=cols)
    return result


def _sheet_extent(stream: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(rows, columns, bytes walked) of the sheet whose records start at ``pos``.

    The hot loop of .xls reading: one unpack per record gives its type, length and, for a cell,
    its row and column.
    """
    read = _RECORD_AND_CELL.unpack_from
    cells, mulrk, dimensions, eof = _BIFF_CELLS, _BIFF_MULRK, _BIFF_DIMENSIONS, _BIFF_EOF
    start = pos
    rows = cols = 0
    while pos + 4 <= end:
        kind, length, row, col = read(stream, pos)
        data = pos + 4
        if data + length > end:
            raise _corrupt()
        if kind in cells:
            if length >= 4:
                if row >= rows:
                    rows = row + 1
                if col >= cols:
                    cols = col + 1
        elif kind == mulrk:
            if length >= 6:
                last_col = _RECORD.unpack_from(stream, data + length - 4)[1]
                rows, cols = max(rows, row + 1), max(cols, last_col + 1)
        elif kind == dimensions:
            if _dimension_cells(stream[data : data + length]) > _BIFF8_CELLS:
                raise _corrupt()
        elif kind == eof:
            return rows, cols, data + length - start
        pos = data + length
    return rows, cols, pos - start


def _dimension_cells(record: bytes) -> int:
    """The cell count calamine reserves for a DIMENSIONS record, with its unsigned 32-bit wrap-around."""
    if len(record) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", record)
    elif len(record) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", record)
    else:
        return 0  # calamine refuses the record
    if last_row < 1 or last_col < 1:
        return 1
    rows = (last_row - 1 - first_row + 1) % 2**32
    cols = (last_col - 1 - first_col + 1) % 2**32
    return rows * cols


def _boundsheet_name(record: bytes, biff8: bool) -> str:
    length = record[6]
    if biff8:
        high = record[7] & 0x1
        raw = record[8 : 8 + length * (2 if high else 1)]
        return raw.decode("utf-16-le" if high else "latin-1", "replace").replace("\x00", "")
    return record[7 : 7 + length].decode("gbk", "replace").replace("\x00", "")
