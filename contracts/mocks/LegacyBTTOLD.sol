// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title LegacyBTTOLD
/// @notice Stand-in for a legacy BTTOLD ERC-20/BEP-20 on local testnets, with the decimals of the token it
/// imitates (6 or 18). The owner funds demo accounts; nothing else mints.
contract LegacyBTTOLD is ERC20, ERC20Permit, Ownable {
    uint8 private immutable _decimals;

    constructor(uint8 decimals_, address owner_)
        ERC20("BitTorrent (legacy)", "BTTOLD")
        ERC20Permit("BitTorrent (legacy)")
        Ownable(owner_)
    {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
