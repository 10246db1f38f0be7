// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title BridgedBTT
/// @notice BTT on a remote chain (Ethereum, BNB Chain): an 18-decimal ERC-20 with EIP-2612 permit whose
/// supply only its gateway changes, minting what was locked or burned elsewhere and burning what leaves.
contract BridgedBTT is ERC20, ERC20Permit {
    /// @notice The gateway that created this token; the only account that mints and burns.
    address public immutable gateway;

    /// @notice `caller` is not the gateway.
    error BridgedBTTUnauthorized(address caller);

    modifier onlyGateway() {
        if (msg.sender != gateway) revert BridgedBTTUnauthorized(msg.sender);
        _;
    }

    constructor(address gateway_) ERC20("BitTorrent", "BTT") ERC20Permit("BitTorrent") {
        gateway = gateway_;
    }

    /// @notice Mints `amount` to `to` for a delivered transfer. Gateway only.
    function mint(address to, uint256 amount) external onlyGateway {
        _mint(to, amount);
    }

    /// @notice Burns `amount` of `from`'s tokens as they leave this chain. Gateway only; the gateway burns
    /// only from the account that asked it to bridge, so no allowance is involved.
    function burn(address from, uint256 amount) external onlyGateway {
        _burn(from, amount);
    }

    /// @notice Moves a bridge fee from `from` to the gateway, which holds fees for the operators.
    function collect(address from, uint256 amount) external onlyGateway {
        _transfer(from, gateway, amount);
    }
}
