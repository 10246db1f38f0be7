// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ValidatorSetStore
/// @notice Keeps each validator set as the code of a tiny data contract ("SSTORE2"), so that a delivery
/// reads the whole set with one EXTCODECOPY instead of one storage slot per validator. The data contract
/// is never called: its code is STOP, then the validators' addresses, 20 bytes each, ascending.
///
/// A gateway creates nothing but these data contracts, so the set of epoch `e` is the gateway's
/// `(e + 1)`th CREATE and its address follows from the gateway's address and `e` alone: the gateway
/// stores a 16-bit epoch instead of a 160-bit pointer, which keeps a delivery's state in one slot.
library ValidatorSetStore {
    /// @notice Deploying the data contract failed, or it did not land where the epoch says.
    error ValidatorSetStoreFailed(uint256 epoch);

    /// @notice Writes `validators` into a new data contract, which must be the set of `epoch`.
    function write(address[] memory validators, uint256 epoch) internal {
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
        // 39         CODECOPY(0, 10, len)
        // 3d         RETURNDATASIZE (0)
        // f3         RETURN(0, len)
        bytes memory initCode = abi.encodePacked(hex"61", uint16(runtime.length), hex"80600a3d393df3", runtime);
        address created;
        assembly ("memory-safe") {
            created := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (created == address(0) || created != location(epoch)) revert ValidatorSetStoreFailed(epoch);
    }

    /// @notice The packed validator addresses of `epoch` (20 bytes each, ascending).
    function read(uint256 epoch) internal view returns (bytes memory packed) {
        address store = location(epoch);
        uint256 size = store.code.length - 1;
        packed = new bytes(size);
        assembly ("memory-safe") {
            extcodecopy(store, add(packed, 0x20), 1, size)
        }
    }

    /// @notice The `index`th address in `packed`.
    function at(bytes memory packed, uint256 index) internal pure returns (address validator) {
        assembly ("memory-safe") {
            validator := shr(96, mload(add(add(packed, 0x20), mul(index, 20))))
        }
    }

    /// @notice Where this contract's set of `epoch` lives: the address of its CREATE with nonce
    /// `epoch + 1` (a contract's nonce starts at 1), i.e. keccak256(rlp([this, nonce]))[12:].
    function location(uint256 epoch) internal view returns (address) {
        uint256 nonce = epoch + 1;
        bytes memory rlp;
        if (nonce <= 0x7f) {
            rlp = abi.encodePacked(bytes2(0xd694), address(this), uint8(nonce));
        } else if (nonce <= 0xff) {
            rlp = abi.encodePacked(bytes2(0xd794), address(this), bytes1(0x81), uint8(nonce));
        } else {
            // Epochs are uint16 and the last one is never written, so the nonce fits two bytes.
            rlp = abi.encodePacked(bytes2(0xd894), address(this), bytes1(0x82), uint16(nonce));
        }
        return address(uint160(uint256(keccak256(rlp))));
    }
}
