// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ValidatorSetStore
/// @notice Keeps a validator set as the code of a tiny data contract ("SSTORE2"), so that a delivery reads
/// the whole set with one EXTCODECOPY instead of one storage slot per validator. The data contract is
/// never called: its code starts with STOP, then the validators' addresses, 20 bytes each, ascending.
library ValidatorSetStore {
    /// @notice Deploying the data contract failed.
    error ValidatorSetStoreFailed();

    /// @notice Writes `validators` into a new data contract and returns its address.
    function write(address[] memory validators) internal returns (address pointer) {
        // abi.encodePacked would pad each array element to 32 bytes; pack them to 20 here.
        bytes memory runtime = new bytes(1 + validators.length * 20);
        for (uint256 i = 0; i < validators.length; ++i) {
            address validator = validators[i];
            assembly ("memory-safe") {
                // Writes 32 bytes of which the last 12 are overwritten by the next entry (or fall in
                // unallocated memory after the last one).
                mstore(add(add(runtime, 0x21), mul(i, 20)), shl(96, validator))
            }
        }
        // Creation code: copy the runtime that follows these 10 bytes into memory and return it.
        // 61 LLLL    PUSH2 runtime length
        // 80         DUP1
        // 60 0a      PUSH1 10 (offset of the runtime in this code)
        // 3d         RETURNDATASIZE (0)
        // 39         CODECOPY(0, 11, len)
        // 3d         RETURNDATASIZE (0)
        // f3         RETURN(0, len)
        bytes memory initCode = abi.encodePacked(hex"61", uint16(runtime.length), hex"80600a3d393df3", runtime);
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (pointer == address(0)) revert ValidatorSetStoreFailed();
    }

    /// @notice The packed validator addresses held by `pointer` (20 bytes each, ascending).
    function read(address pointer) internal view returns (bytes memory packed) {
        uint256 size = pointer.code.length - 1;
        packed = new bytes(size);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(packed, 0x20), 1, size)
        }
    }

    /// @notice The `index`th address in `packed`.
    function at(bytes memory packed, uint256 index) internal pure returns (address validator) {
        assembly ("memory-safe") {
            validator := shr(96, mload(add(add(packed, 0x20), mul(index, 20))))
        }
    }
}
