// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice Test-only: a recipient that refuses BTT with 100,000 bytes of revert data, as an attacker's
/// contract would to make a delivery copy it (test/e2e/hostage.test.ts). The revert's memory fits in the
/// gateway's payout gas (about 28,500 gas of memory expansion).
contract HostageRecipient {
    uint256 public constant REVERT_BYTES = 100_000;

    receive() external payable {
        assembly {
            revert(0, 100000)
        }
    }
}
