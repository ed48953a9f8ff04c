import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/roles.js';
import { UserResponseDto } from '../../auth/dto/auth.dto.js';

export class UpdateMemberDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
}

export class MemberPageDto {
  @ApiProperty({ type: [UserResponseDto] }) data!: UserResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
