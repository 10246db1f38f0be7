// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title RevertDataRecipient
/// @notice TEST ONLY — refuses every BTT payment with 100 KB of revert data (as much as its gas allows),
/// the attack on a payer that copies return data into memory.
contract RevertDataRecipient {
    receive() external payable {
        assembly {
            revert(0, 102400)
        }
    }

    /// @notice Takes claimed BTT (`claimFor` pays with all the call's gas, not through `receive`'s path).
    function accept() external payable {}
}

/// @title GasBurnerRecipient
/// @notice TEST ONLY — refuses every BTT payment by burning all the gas it is given.
contract GasBurnerRecipient {
    receive() external payable {
        assembly {
            invalid()
        }
    }
}

/// @title GasHungryRecipient
/// @notice TEST ONLY — takes a payment only when given at least `burn` gas, which it burns: a recipient
/// that a payout with PAYOUT_GAS pays, and one with less would not.
contract GasHungryRecipient {
    uint256 public immutable burn;
    uint256 public received;

    constructor(uint256 burn_) {
        burn = burn_;
    }

    receive() external payable {
        uint256 stop = gasleft() - burn; // reverts (underflow) when given less than `burn`
        while (gasleft() > stop) {}
        received += msg.value;
    }
}

/// @title ForceSend
/// @notice TEST ONLY — forces BTT into a contract that has no way to take it: SELFDESTRUCT sends the
/// balance whatever the beneficiary's code (under Berlin, and still under Cancun's EIP-6780).
contract ForceSend {
    constructor(address payable beneficiary) payable {
        selfdestruct(beneficiary);
    }
}
