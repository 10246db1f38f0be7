// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @dev The one function of BttcGateway these recipients call.
interface IClaim {
    function claim(address payable to) external;
}

/// @title RevertDataRecipient
/// @notice TEST ONLY — refuses every BTT payment with 100 KB of revert data (as much as its gas allows),
/// the attack on a payer that copies return data into memory.
contract RevertDataRecipient {
    receive() external payable {
        assembly {
            revert(0, 102400)
        }
    }

    /// @notice Claims what `gateway` deferred for this contract, to `to`.
    function claimTo(IClaim gateway, address payable to) external {
        gateway.claim(to);
    }
}

/// @title GasBurnerRecipient
/// @notice TEST ONLY — refuses every BTT payment by burning all the gas it is given.
contract GasBurnerRecipient {
    receive() external payable {
        assembly {
            invalid()
        }
    }

    /// @notice Claims what `gateway` deferred for this contract, to `to`.
    function claimTo(IClaim gateway, address payable to) external {
        gateway.claim(to);
    }
}

/// @title GasHungryRecipient
/// @notice TEST ONLY — takes a payment only when given at least `burn` gas (after reading its switch),
/// which it burns; with less it reverts at once, handing the rest of its gas back (so that a payer that
/// starved it could still afford to defer the payout). Refuses everything while `refuse` is set.
contract GasHungryRecipient {
    uint256 public immutable burn;
    bool public refuse;

    constructor(uint256 burn_) {
        burn = burn_;
    }

    function setRefuse(bool refuse_) external {
        refuse = refuse_;
    }

    receive() external payable {
        if (refuse) revert();
        uint256 stop = gasleft() - burn; // reverts (underflow) when given less than `burn`
        while (gasleft() > stop) {}
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

/// @title Reenterer
/// @notice TEST ONLY — refuses payments until armed; once armed, calls the gateway back with the call it
/// was armed with when paid, keeps the outcome, and takes the payment.
contract Reenterer {
    address public target;
    bytes public callData;
    bool public reentered;
    bytes public lastRevert;

    function arm(address target_, bytes calldata callData_) external {
        target = target_;
        callData = callData_;
    }

    receive() external payable {
        address to = target;
        if (to == address(0)) revert();
        target = address(0);
        (bool ok, bytes memory result) = to.call(callData);
        reentered = ok;
        lastRevert = result;
    }
}
